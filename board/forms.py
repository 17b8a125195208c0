import io
import ipaddress
import logging
import re
import threading
import warnings
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, UserCreationForm
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMultiAlternatives
from django.core.validators import MaxLengthValidator
from django.template import loader
from django.utils.translation import gettext_lazy as _
from PIL import Image

from . import suspension
from .auth import impersonated_name
from .models import Attachment, Decision, PostImage, Report

logger = logging.getLogger(__name__)

COMMENT_MAX = 2000
# C0 controls other than tab and newline, DEL, and C1 controls: invisible, never typed.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# In a file name, tab and newline too: it goes into a header.
NAME_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clean_text(value):
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if CONTROL_CHARS.search(value):
        raise ValidationError(_("보이지 않는 제어 문자는 쓸 수 없습니다."), code="control")
    return value.strip()


class HoneypotMixin:
    """A field people never see or reach; form-filling bots fill it and are refused."""

    honeypot_error = _(
        "자동으로 작성된 것으로 보여 받지 않았습니다. 사람이라면 다시 시도해 주세요."
    )

    def clean_homepage(self):
        if self.cleaned_data.get("homepage"):
            raise ValidationError(self.honeypot_error, code="honeypot")
        return ""


def honeypot_field():
    return forms.CharField(
        label=_("홈페이지 (비워 두세요)"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )


class CommentForm(HoneypotMixin, forms.Form):
    body = forms.CharField(
        label=_("댓글"),
        # The box takes the real limit (line breaks count one, as here). No max_length on the
        # field: it would set the box's maxlength to itself, and the limit is checked after
        # trimming, below (the request's size is bounded by DATA_UPLOAD_MAX_MEMORY_SIZE).
        widget=forms.Textarea(
            attrs={"rows": 3, "maxlength": COMMENT_MAX, "data-counter": COMMENT_MAX}
        ),
        strip=False,
        error_messages={"required": _("댓글 내용을 입력하세요.")},
    )
    homepage = honeypot_field()
    # The comment a reply answers (empty: the article); services.reply_parent checks it.
    parent = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_parent(self):
        parent = self.cleaned_data["parent"].strip()
        if not parent:
            return None
        if not parent.isascii() or not parent.isdigit() or len(parent) > 18:
            raise ValidationError(_("답글을 달 댓글이 이 글에 없습니다."), code="bad_parent")
        return int(parent)

    def clean_body(self):
        body = clean_text(self.cleaned_data["body"])
        if not body:
            raise ValidationError(_("댓글 내용을 입력하세요."), code="empty")
        if len(body) > COMMENT_MAX:
            raise ValidationError(
                _("댓글은 %(max)d자까지 쓸 수 있습니다. 지금 %(length)d자입니다."),
                code="too_long",
                params={"max": COMMENT_MAX, "length": len(body)},
            )
        return body


class SearchForm(forms.Form):
    TARGETS = [
        ("title_body", _("제목+내용")),
        ("title", _("제목")),
        ("body", _("내용")),
        ("author", _("글쓴이")),
        ("comment", _("댓글")),
    ]
    target = forms.ChoiceField(label=_("검색 대상"), choices=TARGETS, required=False)
    q = forms.CharField(
        label=_("검색어"),
        max_length=100,
        required=False,
        error_messages={"max_length": _("검색어는 %(limit_value)d자까지 쓸 수 있습니다.")},
    )
    before = forms.IntegerField(required=False, min_value=1, max_value=2**31)
    after = forms.IntegerField(required=False, min_value=0, max_value=2**31)

    def clean_target(self):
        return self.cleaned_data["target"] or "title_body"

    def clean_q(self):
        return " ".join(clean_text(self.cleaned_data["q"]).split())


class RemovalForm(forms.Form):
    reason = forms.CharField(label=_("삭제 사유 (선택)"), max_length=200, required=False)

    def clean_reason(self):
        return clean_text(self.cleaned_data["reason"])


class SignupForm(HoneypotMixin, UserCreationForm):
    # Required: it is the only way back into a forgotten account (password reset by mail).
    # Not unique: saying "already used" would tell anyone whose address has an account here.
    email = forms.EmailField(
        label=_("이메일"),
        max_length=254,
        help_text=_(
            "비밀번호를 잊었을 때 재설정 링크를 받을 주소입니다. 다른 사람에게 보이지 않습니다."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"required": _("이메일 주소를 입력하세요.")},
    )
    homepage = honeypot_field()

    class Meta(UserCreationForm.Meta):
        fields = ["username", "email"]

    def clean_email(self):
        return get_user_model().objects.normalize_email(self.cleaned_data["email"])

    def clean_username(self):
        username = super().clean_username()
        if username and impersonated_name(username):
            raise ValidationError(
                _("운영진이나 기사 글쓴이의 이름과 헷갈릴 수 있는 이름은 쓸 수 없습니다."),
                code="impersonation",
            )
        return username


class ResetForm(PasswordResetForm):
    """Django's password-reset form in Korean, its mail sent in the background
    (MAIL_IN_BACKGROUND) so that a known address answers as fast as an unknown one."""

    email = forms.EmailField(
        label=_("가입할 때 쓴 이메일"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"required": _("이메일 주소를 입력하세요.")},
    )

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email,
        html_email_template_name=None,
    ):  # fmt: skip
        # Written here, in the reader's language; only the sending waits in the background.
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        message = EmailMultiAlternatives(subject, body, from_email, [to_email])
        if not settings.MAIL_IN_BACKGROUND:
            send_logged(message)
            return
        threading.Thread(target=send_logged, args=[message], daemon=True).start()


def send_logged(message):
    try:
        message.send()
    except Exception:
        # As Django's own form: the reader is told the same either way; the operator sees it.
        logger.exception("Failed to send the password reset mail to %s", message.to)


class WebImageField(forms.ImageField):
    """An image a browser shows inline, whatever else Pillow can open, stored under the
    extension of its real format, and no larger than MAX_IMAGE_PIXELS.

    The size is read from the header before anything is decoded, so a decompression bomb (a
    few kilobytes that decode to gigabytes) is refused without being opened further."""

    # Pillow's format: the extension it is stored under. MPO is a camera's JPEG.
    FORMATS = {"JPEG": ".jpg", "MPO": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp"}
    default_validators = []  # the real format is checked below, the name then follows it

    def to_python(self, data):
        f = forms.FileField.to_python(self, data)
        if f is None:
            return None
        source = data.temporary_file_path() if hasattr(data, "temporary_file_path") else None
        if source is None:
            source = io.BytesIO(data.read() if hasattr(data, "read") else data["content"])
        try:
            with warnings.catch_warnings():
                # Our own limit, below, is stricter than Pillow's warning.
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                image = Image.open(source)
        except Image.DecompressionBombError:
            raise self.too_many_pixels(None) from None
        except Exception as exc:
            raise ValidationError(
                self.error_messages["invalid_image"], code="invalid_image"
            ) from exc
        if image.format not in self.FORMATS:
            raise ValidationError(
                _("JPEG, PNG, GIF, WebP 그림만 올릴 수 있습니다 (이 파일은 %(format)s)."),
                code="format",
                params={"format": image.format},
            )
        width, height = image.size
        if width * height > settings.MAX_IMAGE_PIXELS:
            raise self.too_many_pixels(image.size)
        try:
            image.verify()
        except Exception as exc:
            raise ValidationError(
                self.error_messages["invalid_image"], code="invalid_image"
            ) from exc
        f.image = image
        f.content_type = Image.MIME[image.format]
        # x.html holding a PNG is stored as x.png: the name never decides how it is served.
        f.name = Path(f.name).stem + self.FORMATS[image.format]
        if hasattr(f, "seek") and callable(f.seek):
            f.seek(0)
        return f

    @staticmethod
    def too_many_pixels(size):
        limit = settings.MAX_IMAGE_PIXELS / 1_000_000
        if size is None:
            return ValidationError(
                _("그림의 화소가 너무 많습니다. %(max)g메가픽셀까지 올릴 수 있습니다."),
                code="pixels",
                params={"max": limit},
            )
        return ValidationError(
            _(
                "그림의 화소가 너무 많습니다 (%(width)d×%(height)d). "
                "%(max)g메가픽셀까지 올릴 수 있습니다."
            ),
            code="pixels",
            params={"width": size[0], "height": size[1], "max": limit},
        )


class PostImageForm(forms.ModelForm):
    class Meta:
        model = PostImage
        fields = ["image", "caption"]
        field_classes = {"image": WebImageField}

    def clean_image(self):
        image = self.cleaned_data["image"]
        if image and image.size > settings.MAX_IMAGE_BYTES:
            raise ValidationError(
                _("그림은 %(max)d MB까지 올릴 수 있습니다."),
                code="too_big",
                params={"max": settings.MAX_IMAGE_BYTES // (1024 * 1024)},
            )
        return image


class AttachmentForm(forms.ModelForm):
    """A file for readers to download: an allowed type, within the size limit. Its original
    name is kept on the row; the stored file gets a generated one (models.attachment_path)."""

    class Meta:
        model = Attachment
        fields = ["file"]
        # No "currently: <stored name>" link: files are reached through their download URL.
        widgets = {"file": forms.FileInput}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not isinstance(upload, UploadedFile):
            return upload  # no new file on an existing row
        allowed = [ext.lower().lstrip(".") for ext in settings.ATTACHMENT_EXTENSIONS]
        extension = Path(upload.name).suffix.lower().lstrip(".")
        if extension not in allowed:
            raise ValidationError(
                _("올릴 수 없는 파일 형식입니다. 올릴 수 있는 형식: %(allowed)s"),
                code="type",
                params={"allowed": ", ".join(allowed)},
            )
        if upload.size > settings.MAX_ATTACHMENT_BYTES:
            raise ValidationError(
                _("첨부 파일은 %(max)s까지 올릴 수 있습니다 (이 파일은 %(size)s)."),
                code="too_big",
                params={
                    "max": file_size(settings.MAX_ATTACHMENT_BYTES),
                    "size": file_size(upload.size),
                },
            )
        return upload

    def save(self, commit=True):
        upload = self.cleaned_data.get("file")
        if isinstance(upload, UploadedFile):
            # Control characters would break the download's header; a path has none left
            # (Django keeps only the name's last part).
            name = NAME_CONTROL_CHARS.sub("", upload.name).strip()
            self.instance.name = name[:255] or "file"
            self.instance.size = upload.size
        return super().save(commit)


def file_size(size):
    """A file's size as readers read it: 512 B, 3.4 KB, 12.0 MB."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


class BoundedUsernameMixin:
    """Django's login form sets the user name's max_length after the field is built, so the
    limit reaches the HTML but is never checked; a 10,000-character name then reached the
    lockout log's 255-character column and failed on PostgreSQL. Check it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))


class SuspensionMixin:
    """A suspended account is refused with the date its suspension ends (board.suspension)."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        found = suspension.active(user)
        if found is not None:
            raise ValidationError(suspension.message(found), code="suspended")


class LoginForm(BoundedUsernameMixin, SuspensionMixin, AuthenticationForm):
    pass


class AdminLoginForm(BoundedUsernameMixin, SuspensionMixin, AdminAuthenticationForm):
    pass


class ReportForm(forms.Form):
    """A reader's report (신고): a reason, and a text that 기타 (other) requires."""

    reason = forms.ChoiceField(
        label=_("신고 사유"),
        choices=Report.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("신고 사유를 고르세요.")},
    )
    text = forms.CharField(
        label=_("설명 (기타는 필수)"),
        required=False,
        strip=False,  # control characters are refused before the text is trimmed
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
    )

    def clean_text(self):
        return clean_text(self.cleaned_data["text"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == Report.Reason.OTHER and not cleaned.get("text"):
            self.add_error("text", _("기타 사유는 설명을 써 주세요."))
        return cleaned


# The suspension periods offered, in days ("" for until lifted).
PERIOD_CHOICES = [("1", _("1일")), ("3", _("3일")), ("7", _("7일")), ("30", _("30일"))]
PERIOD_CHOICES += [("forever", _("기한 없음"))]


class DecisionForm(forms.Form):
    """A moderator's decision from the queue; the period only matters when suspending."""

    action = forms.ChoiceField(choices=Decision.Action.choices)
    reason = forms.CharField(label=_("사유 (선택)"), max_length=200, required=False)
    days = forms.ChoiceField(label=_("정지 기간"), choices=PERIOD_CHOICES, initial="7")

    def clean_reason(self):
        return clean_text(self.cleaned_data["reason"])

    def clean_days(self):
        days = self.cleaned_data["days"]
        return None if days == "forever" else int(days)


# The moderator's desk (board.moderation) ---------------------------------------------------

IPV4_PREFIX = re.compile(r"^(\d{1,3}\.){1,3}$")
IPV6_PREFIX = re.compile(r"^[0-9a-f]{0,4}(:[0-9a-f]{0,4}){0,6}:$")
BIGGEST = 2**63 - 1  # the largest id a database takes: beyond it, a clear error, not a 500
DESK_STATES = [("", _("전체")), ("live", _("게시 중")), ("removed", _("삭제됨"))]


class DeskFilterForm(forms.Form):
    """The desk's filters (GET): a board of the moderator's, a writer, an address, a state."""

    board = forms.TypedChoiceField(label=_("게시판"), coerce=int, empty_value=None, required=False)
    author = forms.CharField(label=_("글쓴이 (이름 또는 계정)"), max_length=150, required=False)
    address = forms.CharField(label=_("작성 IP (전체 또는 앞부분)"), max_length=45, required=False)
    state = forms.ChoiceField(label=_("상태"), choices=DESK_STATES, required=False)
    before = forms.IntegerField(label=_("쪽 위치"), min_value=1, max_value=BIGGEST, required=False)

    def __init__(self, data, *, boards):
        super().__init__(data)
        self.fields["board"].choices = [("", _("모든 게시판"))] + [(b.pk, b.name) for b in boards]
        self.fields["board"].error_messages["invalid_choice"] = _(
            "맡은 게시판이 아니거나 없는 게시판입니다."
        )
        self.fields["before"].error_messages["invalid"] = _("쪽 위치가 올바르지 않습니다.")

    def clean_author(self):
        return self.cleaned_data["author"].strip()

    def clean_address(self):
        value = self.cleaned_data["address"].strip().lower()
        if not value:
            return ""
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            pass
        if IPV4_PREFIX.match(value) and all(int(n) <= 255 for n in value.split(".")[:-1]):
            return value
        if IPV6_PREFIX.match(value):
            return value
        raise ValidationError(
            _("IP 주소는 10.0.0.1처럼 전부 쓰거나, 10.0.0.처럼 점(.)으로 끝나는 앞부분만 쓰세요.")
        )


class DeskIdsField(forms.Field):
    """The comments ticked on the desk (several values of one name)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        try:
            ids = [int(v) for v in value or []]
        except (TypeError, ValueError):
            raise ValidationError(_("고른 댓글이 올바르지 않습니다.")) from None
        if any(not 0 < pk <= BIGGEST for pk in ids):
            raise ValidationError(_("고른 댓글이 올바르지 않습니다."))
        return ids


class DeskRemoveForm(forms.Form):
    comment = DeskIdsField(error_messages={"required": _("삭제할 댓글을 고르세요.")})
    reason = forms.CharField(label=_("삭제 사유"), max_length=200, required=False)

    def clean_reason(self):
        return clean_text(self.cleaned_data["reason"])


class DeskAccountForm(forms.Form):
    """An action on one account: remove its recent comments, or suspend it."""

    account = forms.IntegerField(min_value=1, max_value=BIGGEST)
    days = forms.ChoiceField(label=_("기간"), choices=PERIOD_CHOICES)
    reason = forms.CharField(label=_("사유 (선택)"), max_length=200, required=False)

    def __init__(self, data, *, periods=PERIOD_CHOICES):
        super().__init__(data)
        self.fields["days"].choices = periods

    def clean_reason(self):
        return clean_text(self.cleaned_data["reason"])

    def clean_days(self):
        days = self.cleaned_data["days"]
        return None if days == "forever" else int(days)


# "Remove this account's comments of the last N days" (moderation.RECENT_DAYS).
RECENT_CHOICES = [("1", _("1일")), ("3", _("3일")), ("7", _("7일")), ("30", _("30일"))]
