from functools import wraps

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kb.forms import MarkdownPreviewForm
from kb.images import kb_image_store
from kb.markdown import render_preview


def _editors_only(view):
    """Staff who may write articles; other staff (support agents) have no use for the editor's endpoints."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not (request.user.has_perm("kb.add_article") or request.user.has_perm("kb.change_article")):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return staff_member_required(wrapper)


@require_POST
@_editors_only
def markdownify(request):
    form = MarkdownPreviewForm(request.POST)
    if not form.is_valid():
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain; charset=utf-8")
    # The article's language, as the editor page names it (static/js/kb-preview.js): [[include:…]] blocks
    # then render as on the public page, whatever language the admin itself is shown in.
    language = request.GET.get("language", "")
    known = {code for code, _name in settings.LANGUAGES}
    return HttpResponse(render_preview(form.cleaned_data["content"], language if language in known else None))


@require_POST
@_editors_only
def upload_image(request):
    upload = request.FILES.get("image")
    if upload is None:
        return JsonResponse({"image": [_("Choose an image to upload.")]}, status=400)
    try:
        url = kb_image_store(upload=upload)
    except ValidationError as error:
        return JsonResponse({"image": error.messages}, status=400)
    return JsonResponse({"image_code": f"![]({url})"})
