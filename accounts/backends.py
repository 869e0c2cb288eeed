"""The authentication backends: Django's and allauth's, loading the signed-in person cheaply.

Every signed-in request loads its person by primary key. Django builds and compiles that query
afresh each time, which costs more than running it; here it is compiled once per process and
database, and only run after that. Who may sign in, and how, is unchanged.
"""

from functools import cache

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.core.exceptions import ValidationError
from django.db import connections, router

_PLACEHOLDER_PK = 0


@cache
def _select_by_pk(alias: str) -> tuple[str, tuple[str, ...]]:
    """The SQL that selects one person by primary key (with one parameter), and the attribute
    name of each column it returns."""
    model = get_user_model()
    queryset = model._default_manager.using(alias).filter(pk=_PLACEHOLDER_PK)
    compiler = queryset.query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    if tuple(params) != (_PLACEHOLDER_PK,):  # the manager filters more: keep Django's way
        raise ValueError("the person query has parameters of its own")
    return sql, tuple(column.target.attname for column, _, _ in compiler.select)


def user_by_pk(user_id):
    """The person with this primary key (as stored in the session), or None."""
    model = get_user_model()
    try:
        pk = model._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    alias = router.db_for_read(model)
    try:
        sql, attnames = _select_by_pk(alias)
    except ValueError:
        return model._default_manager.filter(pk=pk).first()
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    return None if row is None else model.from_db(alias, attnames, row)


class _LoadsPersonCheaply:
    def get_user(self, user_id):
        user = user_by_pk(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(_LoadsPersonCheaply, DjangoModelBackend):
    """Django's backend (used by admin, tests and `login()` without a backend)."""


class AuthenticationBackend(_LoadsPersonCheaply, AllauthBackend):
    """allauth's backend: sign-in with an email address."""
