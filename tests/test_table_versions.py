"""plumbing.table_versions: which statements renew which version, on every connection, only on commit."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from oauth_apps.bearer import TOKENS
from oauth_apps.models import CLIENTS, AccessToken, Application, UserSessionToken
from oauth_apps.services import RegisteredClient
from plumbing import shared_versions, table_versions
from workspaces.models import Role, User

CLIENT_TABLE, TOKEN_TABLE = Application._meta.db_table, AccessToken._meta.db_table
LINK_TABLE, USER_TABLE, ROLE_TABLE = UserSessionToken._meta.db_table, User._meta.db_table, Role._meta.db_table
BOTH = {CLIENTS.version_key, TOKENS.version_key}


@pytest.mark.parametrize(
    ("sql", "renewed"),
    [
        (f"UPDATE `{CLIENT_TABLE}` SET `name` = %s WHERE `id` = %s", BOTH),
        (f'DELETE FROM "{CLIENT_TABLE}" WHERE "id" IN (1, 2)', BOTH),
        (f"DELETE `{TOKEN_TABLE}` FROM `{TOKEN_TABLE}` INNER JOIN `x` ON 1", {TOKENS.version_key}),
        # Users and roles: what a token acts as, and what a client's owner may do.
        (f"  update {USER_TABLE.lower()} set status = 'INACTIVE'", BOTH),  # any case, unquoted
        (f"UPDATE `other` SET a = 1 WHERE b IN (SELECT id FROM `{ROLE_TABLE}`)", BOTH),
        (f"TRUNCATE `{TOKEN_TABLE}`", {TOKENS.version_key}),
        (f"INSERT INTO `{TOKEN_TABLE}` (`a`) VALUES (%s)", set()),  # a new token changes no lookup
        (f"INSERT INTO `{CLIENT_TABLE}` (`a`) VALUES (%s)", set()),  # unknown client ids are never kept
        (f'INSERT INTO "{LINK_TABLE}" ("a") VALUES (%s)', set()),  # a new web session's link: a new token's
        (f'DELETE FROM "{LINK_TABLE}" WHERE "id" = %s', {TOKENS.version_key}),
        # A web login's last_login, alone, is read by no kept row; with anything else, or not as a
        # parameter, it renews.
        (f'UPDATE "{USER_TABLE}" SET "last_login" = %s WHERE "{USER_TABLE}"."id" = %s', set()),
        (f"UPDATE `{USER_TABLE}` SET `last_login` = %s, `status` = %s WHERE `id` = %s", BOTH),
        (f"UPDATE `{USER_TABLE}` SET `last_login` = NOW() WHERE `id` = %s", BOTH),
        (f"UPDATE `{USER_TABLE}` SET `last_login` = ' WHERE ', `status` = 'x' WHERE `id` = %s", BOTH),
        (f"INSERT INTO `other` (`a`) SELECT `a` FROM `{TOKEN_TABLE}`", set()),
        # Upserts and REPLACE change rows that are there: as an UPDATE would.
        (
            f"INSERT INTO `{TOKEN_TABLE}` (`a`) VALUES (%s) ON DUPLICATE KEY UPDATE `a` = VALUES(`a`)",
            {TOKENS.version_key},
        ),
        (
            f'INSERT INTO "{USER_TABLE}" ("a") VALUES (%s) ON CONFLICT("id") DO UPDATE SET "a" = EXCLUDED."a"',
            BOTH,
        ),
        (f"REPLACE INTO `{CLIENT_TABLE}` (`a`) VALUES (%s)", BOTH),
        (f'INSERT INTO "{TOKEN_TABLE}" ("a") VALUES (%s) ON CONFLICT DO NOTHING', set()),
        (f"SELECT * FROM `{CLIENT_TABLE}` FOR UPDATE", set()),
        (f"(SELECT * FROM `{CLIENT_TABLE}`) UNION (SELECT * FROM `{CLIENT_TABLE}`)", set()),
        (f"UPDATE `{CLIENT_TABLE}_extra` SET `a` = 1", set()),  # another table whose name starts alike
        ("SAVEPOINT `s1`", set()),
        ("", set()),
    ],
)
def test_which_statements_renew_which_version(sql: str, renewed: set[str]) -> None:
    assert table_versions.keys_written(sql) == renewed


def test_every_connection_runs_the_wrapper_first(db: None) -> None:
    connection.ensure_connection()
    assert connection.execute_wrappers[0] is table_versions.wrapper
    with connection.execute_wrapper(lambda execute, *args: execute(*args)):
        pass
    assert connection.execute_wrappers == [table_versions.wrapper]  # a wrapper block leaves it in place
    seen = []

    def another_thread() -> None:  # another request thread: its own connection
        other = connections["default"]
        other.ensure_connection()
        seen.append(other.execute_wrappers[0] is table_versions.wrapper)
        other.close()

    thread = threading.Thread(target=another_thread)
    thread.start()
    thread.join()
    assert seen == [True]


@pytest.mark.django_db(transaction=True)
def test_a_commit_renews_and_a_rollback_does_not(app: RegisteredClient) -> None:
    key = CLIENTS.version_key
    first = shared_versions.version(key)
    with pytest.raises(RuntimeError), transaction.atomic():
        Application.objects.filter(pk=app.application.pk).update(name="never committed")
        assert table_versions.changed_in_transaction(key, "default")
        raise RuntimeError("roll back")
    assert shared_versions.version(key) == first
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():  # a savepoint rolled back
            Application.objects.filter(pk=app.application.pk).update(name="never committed")
            raise RuntimeError("roll back")
        assert not table_versions.changed_in_transaction(key, "default")
        Application.objects.filter(pk=app.application.pk).update(name="committed")
        Application.objects.filter(pk=app.application.pk).update(name="committed twice")
        assert [entry for entry in connection.run_on_commit if entry[1].__name__ == f"renew[{key}]"][1:] == []
        assert shared_versions.version(key) == first  # not before the commit
    second = shared_versions.version(key)
    assert second not in (None, first)
    Application.objects.filter(pk=app.application.pk).update(name="outside a transaction")
    assert shared_versions.version(key) not in (None, first, second)  # at once


def test_nothing_sent_inside_not_renewing_renews() -> None:
    sql = f"UPDATE `{TOKEN_TABLE}` SET `EXPIRES` = %s WHERE `id` = %s"
    with table_versions.not_renewing():
        assert table_versions.keys_written(sql) == set()
    assert table_versions.keys_written(sql) == {TOKENS.version_key}
