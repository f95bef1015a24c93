"""A tiny IMAP4rev1 server on 127.0.0.1 in a thread: enough of LOGIN, SELECT, UID SEARCH, UID FETCH and
UID STORE for imap-tools, with a mailbox the test fills and can make misbehave."""

import re
import socketserver
import threading
from dataclasses import dataclass, field


@dataclass
class Mailbox:
    messages: dict[int, bytes] = field(default_factory=dict)
    seen: set[int] = field(default_factory=set)
    refuse_store: bool = False  # the server takes the fetch but fails marking it read (a crash in between)
    logins: int = 0


class _Handler(socketserver.StreamRequestHandler):
    def send(self, line: str | bytes) -> None:
        self.wfile.write(line.encode() if isinstance(line, str) else line)

    def handle(self) -> None:
        box: Mailbox = self.server.mailbox  # type: ignore[attr-defined]
        self.send("* OK [CAPABILITY IMAP4rev1] fake ready\r\n")
        while line := self.rfile.readline():
            tag, _, rest = line.decode().strip().partition(" ")
            command = rest.upper()
            if command.startswith("CAPABILITY"):
                self.send(f"* CAPABILITY IMAP4rev1\r\n{tag} OK done\r\n")
            elif command.startswith("LOGIN"):
                box.logins += 1
                self.send(f"{tag} OK logged in\r\n")
            elif command.startswith(("SELECT", "EXAMINE")):
                self.send(f"* {len(box.messages)} EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n{tag} OK [READ-WRITE] done\r\n")
            elif command.startswith("UID SEARCH"):
                unseen = [str(uid) for uid in sorted(box.messages) if uid not in box.seen]
                self.send(f"* SEARCH {' '.join(unseen)}\r\n{tag} OK done\r\n")
            elif command.startswith("UID FETCH"):
                uid = int(rest.split()[2])
                data = box.messages[uid]
                flags = "(\\Seen)" if uid in box.seen else "()"
                self.send(f"* {uid} FETCH (UID {uid} FLAGS {flags} RFC822.SIZE {len(data)} BODY[] {{{len(data)}}}\r\n")
                self.send(data + b")\r\n")
                self.send(f"{tag} OK done\r\n")
            elif command.startswith("UID STORE"):
                if box.refuse_store:
                    self.send(f"{tag} NO store failed\r\n")
                    continue
                box.seen.update(int(uid) for uid in re.findall(r"\d+", rest.split()[2]))
                self.send(f"{tag} OK done\r\n")
            elif command.startswith("LOGOUT"):
                self.send(f"* BYE\r\n{tag} OK bye\r\n")
                return
            else:
                self.send(f"{tag} OK ignored\r\n")


class FakeImap(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.mailbox = Mailbox()
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def __enter__(self) -> "FakeImap":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()
