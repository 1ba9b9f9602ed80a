"""Pieces every part of the editors' desk shares: reasons for changes, frozen objects,
publishing through the services."""

from django import forms
from django.contrib import messages
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from aimai_site.errors import DomainError
from countries.choices import ReleaseStatus


def publish_each(model_admin, request, queryset, *, permission, publish, refused) -> None:
    """Run a publishing service on each selected object and report each outcome."""
    if not request.user.has_perm(permission):
        model_admin.message_user(request, refused, messages.ERROR)
        return
    for obj in queryset:
        try:
            publish(obj)
        except DomainError as exc:
            model_admin.message_user(request, exc.message, messages.ERROR)
        else:
            said = gettext("Published {object}.").format(object=obj)
            model_admin.message_user(request, said, messages.SUCCESS)


class ReasonedChangeForm(forms.ModelForm):
    """A change to reference or published data says why: the reason is kept with the change
    in the object's history (who, when, what, why)."""

    change_reason = forms.CharField(
        label=_("Reason for this change"),
        max_length=100,
        help_text=_(
            "Required: kept in the history next to what changed (e.g. “ISO 3166 "
            "update 2026-05”, “typo in the unit”)."
        ),
        error_messages={"required": _("Say why: every change to this data needs a reason.")},
    )


class ReasonedHistoryAdmin(SimpleHistoryAdmin):
    """Changes (and reverts, which use the same form) need a reason; the history page shows
    each change as a diff with it."""

    form = ReasonedChangeForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request, obj, form, change):
        obj._change_reason = form.cleaned_data.get("change_reason", "")
        super().save_model(request, obj, form, change)

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if "change_reason" in fields and obj is not None:
            if not self.has_change_permission(request, obj):
                fields.remove("change_reason")  # nothing to change, nothing to explain
        return fields


class FrozenUnlessDraft:
    """Read-only admin for anything that is not a draft, or belongs to a release that is not:
    a release in review waits for its reviewer, a published one never changes."""

    def _release_of(self, obj):
        raise NotImplementedError

    def _frozen(self, obj) -> bool:
        release = self._release_of(obj)
        return getattr(release, "status", "draft") != ReleaseStatus.DRAFT

    def has_change_permission(self, request, obj=None):
        if obj is not None and self._frozen(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and self._frozen(obj):
            return False
        return super().has_delete_permission(request, obj)
