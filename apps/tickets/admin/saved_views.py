"""Saved views of the queue: an agent keeps the list's filters, search, order and columns
under a name, opens them from the queue and the home, renames, shares or deletes them."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import label_for_field
from django.contrib.admin.views.main import ORDER_VAR
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect, QueryDict
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.accounts.scope import agent_departments
from apps.tickets.models import SavedView, ServiceRequest
from apps.tickets.queue_models import QUEUE_COLUMNS

VIEW_PARAM = "view"
# The list's parameters a view may keep: the filters, the search and the order (not the page).
SAVED_PARAMS = frozenset(
    {
        "queue",
        "state__exact",
        "priority__exact",
        "department",
        "channel__exact",
        "category__id__exact",
        "created_at__gte",
        "created_at__lt",
        "q",
        "o",
    }
)
MAX_VIEWS = 50  # a person's own views; more is a sign of a script gone wrong


def views_for(user):
    """The views `user` may open: their own and those shared with their departments."""
    return (
        SavedView.objects.filter(Q(owner_id=user.pk) | Q(department__in=agent_departments(user)))
        .select_related("department")
        .order_by("name", "pk")
    )


def _order_parts(value: str):
    for part in value.split("."):
        _none, sign, key = part.rpartition("-")
        yield sign, key


def order_by_names(value: str, shown: list) -> str:
    """The list's order ("2.-5": positions among the columns `shown`) as a view keeps it,
    by column name ("subject.-sla"), since the view's columns may be others."""
    names = []
    for sign, key in _order_parts(value):
        if key.isdigit() and int(key) < len(shown):
            names.append(f"{sign}{shown[int(key)]}")
    return ".".join(names)


def order_by_positions(value: str, shown: list) -> str:
    """A view's order by column names back to positions among the columns `shown`; names
    not shown are left out. Positions pass unchanged."""
    positions = []
    for sign, key in _order_parts(value):
        if key.isdigit():
            positions.append(f"{sign}{key}")
        elif key in shown:
            positions.append(f"{sign}{shown.index(key)}")
    return ".".join(positions)


def with_order_positions(querydict, shown: list):
    """The request's query with a view's named order turned into the list's positions."""
    value = querydict.get(ORDER_VAR, "")
    if not value or value.replace(".", "").replace("-", "").isdigit():
        return querydict
    querydict = querydict.copy()
    querydict[ORDER_VAR] = order_by_positions(value, shown)
    return querydict


def savable_query(querydict, shown: list) -> str:
    """The list's query string as a view keeps it: known parameters only, no page, no view,
    the order by column names."""
    kept = QueryDict(mutable=True)
    for key in querydict:
        if key in SAVED_PARAMS:
            kept.setlist(key, querydict.getlist(key))
    if ORDER_VAR in kept:
        kept[ORDER_VAR] = order_by_names(str(kept.get(ORDER_VAR, "")), shown)
    return kept.urlencode()


def view_url(changelist_url: str, view: SavedView) -> str:
    query = f"{view.query}&" if view.query else ""
    return f"{changelist_url}?{query}{VIEW_PARAM}={view.pk}"


def chosen_view(request) -> SavedView | None:
    """The view named by `?view=` if the user may open it (looked up once per request)."""
    if not hasattr(request, "_servicedesk_view"):
        value = request.GET.get(VIEW_PARAM, "")
        view = views_for(request.user).filter(pk=int(value)).first() if value.isdigit() else None
        request._servicedesk_view = view
    return request._servicedesk_view


def list_display_for(request, default: list) -> list:
    """The columns of the chosen view (the reference always first), else `default`."""
    view = chosen_view(request)
    if view is None:
        return default
    return ["reference", *[c for c in QUEUE_COLUMNS if c in view.columns]]


class SavedViewFilter(admin.SimpleListFilter):
    """Takes `?view=` off the list's lookups (the view's columns are chosen elsewhere); it
    filters nothing and shows nothing in the sidebar."""

    title = _("saved view")
    parameter_name = VIEW_PARAM

    def lookups(self, request, model_admin):
        return []

    def has_output(self):
        return False

    def queryset(self, request, queryset):
        return queryset


def _column_label(name: str):
    return label_for_field(name, ServiceRequest, admin.site.get_model_admin(ServiceRequest))


class SavedViewForm(forms.ModelForm):
    """A view's name, filters, columns and sharing; the same checks from the queue and the
    admin page: known parameters and columns only, one name per owner."""

    columns = forms.MultipleChoiceField(
        label=_("columns"), widget=forms.CheckboxSelectMultiple, choices=()
    )

    class Meta:
        model = SavedView
        fields = ["name", "query", "columns", "department"]

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.fields["columns"].choices = [(c, _column_label(c)) for c in QUEUE_COLUMNS]
        self.fields["columns"].error_messages["invalid_choice"] = _("Unknown column %(value)s.")
        self.fields["department"].queryset = agent_departments(owner).order_by("name")
        self.fields["department"].required = False

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        taken = SavedView.objects.filter(owner_id=self.owner.pk, name=name)
        if taken.exclude(pk=self.instance.pk).exists():
            raise ValidationError(
                _("You already have a view named %(name)s."), params={"name": name}
            )
        return name

    def clean_query(self):
        query = QueryDict(self.cleaned_data["query"])
        unknown = sorted(set(query) - SAVED_PARAMS)
        if unknown:
            raise ValidationError(
                _("Unknown list parameters: %(names)s."), params={"names": ", ".join(unknown)}
            )
        orderable = ["reference", *QUEUE_COLUMNS]
        order = [key for _sign, key in _order_parts(query.get(ORDER_VAR, ""))]
        if ORDER_VAR in query and not set(order) <= set(orderable):
            raise ValidationError(
                _("Order by column names: %(names)s."), params={"names": ", ".join(orderable)}
            )
        return query.urlencode()

    def clean_columns(self):
        chosen = self.cleaned_data["columns"]
        return [c for c in QUEUE_COLUMNS if c in chosen]

    def save(self, commit=True):
        self.instance.owner = self.owner
        return super().save(commit)


def _errors_text(form) -> str:
    return "\n".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items())


def save_view(model_admin, request):
    """Save the queue as shown under a name (the same name again replaces that view): 400
    with the reasons and nothing written for unknown columns or parameters."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    name = request.POST.get("name", "").strip()
    existing = SavedView.objects.filter(owner_id=request.user.pk, name=name).first()
    if existing is None and SavedView.objects.filter(owner_id=request.user.pk).count() >= MAX_VIEWS:
        return HttpResponse(
            gettext("You have %(n)s saved views; delete one first.") % {"n": MAX_VIEWS},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    form = SavedViewForm(request.POST, instance=existing, owner=request.user)
    if not form.is_valid():
        return HttpResponse(
            _errors_text(form), status=400, content_type="text/plain; charset=utf-8"
        )
    try:
        with transaction.atomic():
            view = form.save()
    except IntegrityError:  # the same name saved twice at once: the other save won
        return HttpResponse(
            gettext("You already have a view named %(name)s.") % {"name": name},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    messages.success(request, gettext("Saved the view “%(name)s”.") % {"name": view.name})
    return HttpResponseRedirect(view_url(model_admin.url_for("changelist"), view))


def views_context(model_admin, request) -> dict:
    """The queue page's views strip and its save form."""
    url = model_admin.url_for("changelist")
    chosen = chosen_view(request)
    own = chosen if chosen is not None and chosen.owner_id == request.user.pk else None
    return {
        "saved_views": [
            {
                "view": v,
                "url": view_url(url, v),
                "current": chosen is not None and v.pk == chosen.pk,
            }
            for v in views_for(request.user)
        ],
        "save_view_url": model_admin.url_for("save_view"),
        "manage_views_url": _manage_url(model_admin),
        "savable_query": savable_query(request.GET, model_admin.shown_columns(request)),
        "view_form": SavedViewForm(
            owner=request.user,
            initial={
                "name": own.name if own else "",
                "columns": chosen.columns if chosen else QUEUE_COLUMNS,
                "department": own.department_id if own else None,
            },
        ),
    }


def _manage_url(model_admin) -> str:
    return reverse("admin:tickets_savedview_changelist", current_app=model_admin.admin_site.name)


@admin.register(SavedView)
class SavedViewAdmin(admin.ModelAdmin):
    """An agent's views: rename, change columns or sharing, delete; a colleague's shared view
    is read-only. New views are saved from the queue."""

    form = SavedViewForm
    list_display = ["name", "open_link", "department", "owner"]
    list_select_related = ["department", "owner"]
    fields = ["name", "query", "columns", "department"]

    def get_queryset(self, request):
        return views_for(request.user).select_related("owner")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)

        class OwnedForm(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, owner=(obj.owner if obj else request.user), **inner)

        return OwnedForm

    @admin.display(description=_("open"))
    def open_link(self, view: SavedView) -> str:
        url = view_url(reverse("admin:tickets_servicerequest_changelist"), view)
        return format_html('<a href="{}">{}</a>', url, gettext("Open in the queue"))

    def _is_agent(self, request) -> bool:
        return request.user.is_active and request.user.has_perm("tickets.view_servicerequest")

    def has_module_permission(self, request):
        return self._is_agent(request)

    def has_view_permission(self, request, obj=None):
        return self._is_agent(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return self._is_agent(request) and (obj is None or obj.owner_id == request.user.pk)

    def has_delete_permission(self, request, obj=None):
        return self._is_agent(request) and (obj is None or obj.owner_id == request.user.pk)
