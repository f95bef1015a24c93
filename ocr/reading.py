"""What a reading is: the lines of text found in a photo, each with its box in the photo's pixels."""

from dataclasses import dataclass

type Point = tuple[int, int]


@dataclass(frozen=True)
class Line:
    text: str
    score: float
    box: tuple[Point, ...]  # four corners, clockwise from the top left as the text runs


@dataclass(frozen=True)
class Reading:
    lines: tuple[Line, ...]
    seconds: float = 0.0

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    def to_json(self) -> dict:
        return {
            "lines": [
                {"text": line.text, "score": line.score, "box": [list(p) for p in line.box]} for line in self.lines
            ],
            "seconds": self.seconds,
        }

    @classmethod
    def from_json(cls, data: dict) -> "Reading":
        lines = tuple(
            Line(
                text=str(line["text"]), score=float(line["score"]), box=tuple((int(x), int(y)) for x, y in line["box"])
            )
            for line in data.get("lines", ())
        )
        return cls(lines=lines, seconds=float(data.get("seconds", 0.0)))


class Busy(Exception):
    """Every reading slot is taken: try again in a few seconds."""


class Unavailable(Exception):
    """The OCR server is not running, or did not answer in time."""
