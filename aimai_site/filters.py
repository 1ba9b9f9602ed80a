"""The base of every FilterSet: whole-number filters take whole numbers the database can hold,
so `?need=1e19` or `?offer=99999999999999999999` is a 400 naming the parameter, never an
overflow inside the database driver."""

import django_filters
from django import forms
from django.db import models
from django_filters.filterset import FILTER_FOR_DBFIELD_DEFAULTS

# A 64-bit signed integer: every id and integer column on PostgreSQL (bigint) and SQLite.
DATABASE_INT_MIN = -(2**63)
DATABASE_INT_MAX = 2**63 - 1


class WholeNumberField(forms.IntegerField):
    """A whole number within the database's range (no decimals, no exponents)."""

    def __init__(self, *, min_value=DATABASE_INT_MIN, max_value=DATABASE_INT_MAX, **kwargs):
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)


class WholeNumberFilter(django_filters.NumberFilter):
    field_class = WholeNumberField


class IdFilter(WholeNumberFilter):
    """An object's id: a positive whole number the database can hold."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        super().__init__(*args, **kwargs)


_WHOLE = {"filter_class": WholeNumberFilter}


class FilterSet(django_filters.FilterSet):
    """django-filter's FilterSet with bounded whole numbers for integer columns it generates."""

    FILTER_DEFAULTS = {
        **FILTER_FOR_DBFIELD_DEFAULTS,
        models.AutoField: _WHOLE,
        models.SmallIntegerField: _WHOLE,
        models.IntegerField: _WHOLE,
        models.PositiveIntegerField: _WHOLE,
        models.PositiveSmallIntegerField: _WHOLE,
    }
