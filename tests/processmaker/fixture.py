"""ProcessMaker workspace databases on the MariaDB at 127.0.0.1:3306, built from
../shared/reference/processmaker-database.md, for the importer's tests.

- `build_38`: one database (`wf_<ws>`) as ProcessMaker 3.8 installs it, with the seeded RBAC
  catalogue, a customised and a custom role, users in every state, clients and tokens;
- `build_2x`: a workspace that began on 2.x: `wf_<ws>` with 3.0's USERS table, and the RBAC tables
  in `rb_<ws>` (prefixed RBAC_ as a 3.x upgrade leaves them, or bare when `upgraded=False`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import MySQLdb

from tests.workers import own_name

HERE = Path(__file__).resolve().parent
SERVER = {"host": "127.0.0.1", "port": 3306, "user": "root", "password": ""}  # tests/conftest.py's MARIADB
RBAC_SYSTEM, PM_SYSTEM = "0" * 31 + "1", "0" * 31 + "2"
ADMIN_UID, GUEST_UID = "0" * 31 + "1", "0" * 31 + "2"
SEED_CLIENT_ID, SEED_CLIENT_SECRET = "HWAYUEGWRMWNVLSTKPXAJDZGUQKAXKSF", "28060566356f0b9db4f0429090515303"
LOCAL_CLIENT_SECRET = "179ad45c6ce2cb97cf1029e212046e81"

# ProcessMaker 3.8's permission catalogue by UID number (section 4); 8 (PM_REPORTS) is switched off.
PERMISSIONS = dict(
    enumerate(
        "PM_LOGIN PM_SETUP PM_USERS PM_FACTORY PM_CASES PM_ALLCASES PM_REASSIGNCASE PM_REPORTS PM_SUPERVISOR "
        "PM_SETUP_ADVANCE PM_DASHBOARD PM_WEBDAV PM_DELETECASE PM_EDITPERSONALINFO PM_FOLDERS_ALL "
        "PM_FOLDERS_ADD_FOLDER PM_FOLDERS_ADD_FILE PM_CANCELCASE PM_FOLDER_DELETE PM_SETUP_LOGO PM_SETUP_EMAIL "
        "PM_SETUP_CALENDAR PM_SETUP_PROCESS_CATEGORIES PM_SETUP_CLEAR_CACHE PM_SETUP_HEART_BEAT PM_SETUP_ENVIRONMENT "
        "PM_SETUP_PM_TABLES PM_SETUP_LOGIN PM_SETUP_DASHBOARDS PM_SETUP_LANGUAGE PM_SETUP_SKIN "
        "PM_SETUP_CASES_LIST_CACHE_BUILDER PM_SETUP_PLUGINS PM_SETUP_USERS_AUTHENTICATION_SOURCES PM_SETUP_LOGS "
        "PM_DELETE_PROCESS_CASES PM_EDITPERSONALINFO_CALENDAR PM_UNCANCELCASE PM_REST_API_APPLICATIONS".split(),
        start=1,
    )
)
PERMISSIONS.update(
    enumerate(
        [
            f"PM_EDIT_USER_PROFILE_{name}"
            for name in (
                "FIRST_NAME LAST_NAME USERNAME EMAIL ADDRESS ZIP_CODE COUNTRY STATE_OR_REGION LOCATION PHONE "
                "POSITION REPLACED_BY EXPIRATION_DATE CALENDAR STATUS ROLE TIME_ZONE DEFAULT_LANGUAGE COSTS "
                "PASSWORD USER_MUST_CHANGE_PASSWORD_AT_NEXT_LOGON PHOTO DEFAULT_MAIN_MENU_OPTIONS "
                "DEFAULT_CASES_MENU_OPTIONS"
            ).split()
        ],
        start=40,
    )
)
PERMISSIONS.update(
    {
        64: "PM_REASSIGNCASE_SUPERVISOR",
        65: "PM_SETUP_CUSTOM_CASES_LIST",
        66: "PM_GUEST_CASE",
        67: "PM_SETUP_LOG_FILES",
        68: "PM_FOLDERS_OWNER",
        69: "PM_TASK_SCHEDULER_ADMIN",
        70: "TASK_METRICS_VIEW",
    }
)
del PERMISSIONS[25]  # PM_SETUP_HEART_BEAT: 3.3 only
SWITCHED_OFF = {8}
ADMIN_GRANTS = set(PERMISSIONS) - {66}
GRANTS = {
    2: ADMIN_GRANTS,
    3: {1, 5, *range(40, 50), 53, 56, 57, 59, 61},
    4: ADMIN_GRANTS - {2, 4, 10, 12, 64, 65, 67, 68, 69, 70},
    5: {66},
}
ROLE_CODES = {1: "RBAC_ADMIN", 2: "PROCESSMAKER_ADMIN", 3: "PROCESSMAKER_OPERATOR", 4: "PROCESSMAKER_MANAGER"}
ROLE_CODES[5] = "PROCESSMAKER_GUEST"


def uid(number: int) -> str:
    return f"{number:032d}"


def md5(password: str) -> str:
    return hashlib.md5(password.encode()).hexdigest()  # noqa: S324 - ProcessMaker's own


def sha256(password: str) -> str:
    return hashlib.sha256(password.encode()).hexdigest()


def local_now(zone: Any = UTC) -> datetime:
    """The ProcessMaker server's wall clock: naive, as its DATETIME columns hold it."""
    return datetime.now(zone).replace(tzinfo=None, microsecond=0)


@dataclass
class Database:
    """A database on the MariaDB at SERVER, made afresh; `name` gets this test process's suffix
    (tests/workers.py), so parallel workers never build over each other's."""

    name: str
    connection: Any = field(init=False)

    def __post_init__(self) -> None:
        self.name = own_name(self.name)
        server = MySQLdb.connect(**SERVER, charset="utf8mb4")
        with server.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{self.name}`")
            cursor.execute(f"CREATE DATABASE `{self.name}` CHARACTER SET utf8mb4")
        server.close()
        self.connection = MySQLdb.connect(**SERVER, database=self.name, charset="utf8mb4", autocommit=True)

    @property
    def url(self) -> str:
        return f"mysql://root@127.0.0.1:3306/{self.name}"

    def run_file(self, name: str) -> None:
        lines = [line for line in (HERE / name).read_text().splitlines() if not line.startswith("--")]
        for statement in "\n".join(lines).split(";"):
            if statement.strip():
                self.execute(statement)

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)

    def insert(self, table: str, **columns: Any) -> None:
        names = ", ".join(columns)
        marks = ", ".join(["%s"] * len(columns))
        self.execute(f"INSERT INTO `{table}` ({names}) VALUES ({marks})", tuple(columns.values()))

    def scalar(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]

    def drop(self) -> None:
        self.execute(f"DROP DATABASE IF EXISTS `{self.name}`")
        self.connection.close()


@dataclass
class Workspace:
    """A ProcessMaker workspace's databases (`rb` is `wf` for the one-database layout)."""

    wf: Database
    rb: Database
    prefix: str = "RBAC_"

    def rbac(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def seed_rbac(self) -> None:
        rb = self.rb
        rb.insert(self.rbac("SYSTEMS"), SYS_UID=RBAC_SYSTEM, SYS_CODE="RBAC", SYS_STATUS=1)
        rb.insert(self.rbac("SYSTEMS"), SYS_UID=PM_SYSTEM, SYS_CODE="PROCESSMAKER", SYS_STATUS=1)
        for number, code in PERMISSIONS.items():
            status = 0 if number in SWITCHED_OFF else 1
            rb.insert(self.rbac("PERMISSIONS"), PER_UID=uid(number), PER_CODE=code, PER_STATUS=status)
        for number, code in ROLE_CODES.items():
            system = RBAC_SYSTEM if number == 1 else PM_SYSTEM
            rb.insert(self.rbac("ROLES"), ROL_UID=uid(number), ROL_CODE=code, ROL_SYSTEM=system, ROL_STATUS=1)
            self.grant(uid(number), GRANTS.get(number, set()))
        for number, name in ((2, "System Administrator"), (3, "Operator"), (4, "Manager")):
            self.wf.insert("CONTENT", CON_CATEGORY="ROL_NAME", CON_ID=uid(number), CON_LANG="en", CON_VALUE=name)

    def grant(self, role_uid: str, numbers: set[int]) -> None:
        for number in sorted(numbers):
            self.rb.insert(self.rbac("ROLES_PERMISSIONS"), ROL_UID=role_uid, PER_UID=uid(number))

    def add_role(self, role_uid: str, code: str, numbers: set[int], names: dict[str, str], status: int = 1) -> None:
        self.rb.insert(self.rbac("ROLES"), ROL_UID=role_uid, ROL_CODE=code, ROL_SYSTEM=PM_SYSTEM, ROL_STATUS=status)
        self.grant(role_uid, numbers)
        for lang, name in names.items():
            self.wf.insert("CONTENT", CON_CATEGORY="ROL_NAME", CON_ID=role_uid, CON_LANG=lang, CON_VALUE=name)

    def add_user(
        self,
        user_uid: str,
        username: str,
        password: str,
        role: int | str,
        *,
        status: str = "ACTIVE",
        auth_type: str = "",
        source: str = "",
        dn: str = "",
        due: date = date(2040, 1, 1),
        rbac: bool = True,
        **profile: Any,
    ) -> None:
        """USERS, RBAC_USERS and RBAC_USERS_ROLES, as ProcessMaker writes them for one user."""
        role_uid = uid(role) if isinstance(role, int) else role
        created = local_now() - timedelta(days=400)
        names = {"USR_FIRSTNAME": profile.pop("USR_FIRSTNAME", username.title()), "USR_LASTNAME": "Example"}
        email = profile.pop("USR_EMAIL", f"{username}@example.com")
        users_columns = {
            "USR_UID": user_uid, "USR_USERNAME": username if status != "CLOSED" else "", "USR_PASSWORD": password,
            **names, "USR_EMAIL": email, "USR_DUE_DATE": due, "USR_CREATE_DATE": created,
            "USR_UPDATE_DATE": created, "USR_STATUS": status, **profile,
        }  # fmt: skip
        self.wf.insert("USERS", **users_columns)
        if not rbac:
            return
        self.rb.insert(
            self.rbac("USERS"), USR_UID=user_uid, USR_USERNAME=username, USR_PASSWORD=password, **names,
            USR_EMAIL=email, USR_DUE_DATE=due, USR_CREATE_DATE=created, USR_STATUS=1 if status == "ACTIVE" else 0,
            USR_AUTH_TYPE=auth_type, UID_AUTH_SOURCE=source, USR_AUTH_USER_DN=dn,
        )  # fmt: skip
        self.rb.insert(self.rbac("USERS_ROLES"), USR_UID=user_uid, ROL_UID=role_uid)

    def add_source(self, source_uid: str, name: str, server: str, port: int, **columns: Any) -> None:
        """An authentication source as ProcessMaker's LDAP setup writes it (AUTH_SOURCE_DATA serialized)."""
        data = columns.pop("data", {})
        items = "".join(f's:{len(k)}:"{k}";s:{len(str(v).encode())}:"{v}";' for k, v in data.items())
        self.rb.insert(
            self.rbac("AUTHENTICATION_SOURCE"), AUTH_SOURCE_UID=source_uid, AUTH_SOURCE_NAME=name,
            AUTH_SOURCE_PROVIDER="ldapAdvanced", AUTH_SOURCE_SERVER_NAME=server, AUTH_SOURCE_PORT=port,
            AUTH_SOURCE_DATA=f"a:{len(data)}:{{{items}}}", **columns,
        )  # fmt: skip

    def add_client(self, client_id: str, secret: str, name: str, owner: str, redirect: str = "") -> None:
        self.wf.insert(
            "OAUTH_CLIENTS", CLIENT_ID=client_id, CLIENT_SECRET=secret, CLIENT_NAME=name,
            CLIENT_DESCRIPTION=f"{name}, registered in ProcessMaker", CLIENT_WEBSITE="www.example.com",
            REDIRECT_URI=redirect, USR_UID=owner,
        )  # fmt: skip

    def add_token(
        self, table: str, token: str, client_id: str, user: str | None, expires: datetime, scope: str | None = None
    ) -> None:
        column = "ACCESS_TOKEN" if table == "OAUTH_ACCESS_TOKENS" else "REFRESH_TOKEN"
        self.wf.insert(table, **{column: token}, CLIENT_ID=client_id, USER_ID=user, EXPIRES=expires, SCOPE=scope)

    def drop(self) -> None:
        self.wf.drop()
        if self.rb is not self.wf:
            self.rb.drop()


def token(label: str) -> str:
    """A 40-hex token, as bshaffer's server makes them, named for the test that reads it."""
    return hashlib.sha1(label.encode()).hexdigest()  # noqa: S324 - only a shape


def build_38(name: str = "pmfx_wf_workflow") -> Workspace:
    """ProcessMaker 3.8, one database: the seeded RBAC catalogue with the operator role customised
    and a custom role, users in every state, the seed's client and tokens of every kind."""
    wf = Database(name)
    for schema in ("rbac_schema.sql", "workflow_schema_38.sql", "workflow_common.sql"):
        wf.run_file(schema)
    pm = Workspace(wf, wf)
    pm.seed_rbac()
    pm.grant(uid(3), {11})  # operators may also see the dashboards here: a customised role
    pm.wf.insert("RBAC_PERMISSIONS", PER_UID=uid(900), PER_CODE="PM_PLUGIN_AUDIT", PER_STATUS=1)
    pm.add_role("a" * 32, "PROCESSMAKER_AUDITOR", {1, 5, 6, 8, 900}, {"es": "Auditor (es)", "en": "Auditor"})
    pm.add_user(
        ADMIN_UID, "admin", sha256("admin's sha256 pass"), 2, USR_COUNTRY="US", USR_CITY="FL", USR_LOCATION="MIA",
        USR_PHONE="555-0100", USR_TIME_ZONE="America/New_York", USR_DEFAULT_LANG="en", USR_POSITION="Boss",
    )  # fmt: skip
    pm.add_user(GUEST_UID, "guest", "$2y$10$" + "x" * 53, 5, status="INACTIVE")
    pm.add_user(
        "1" * 32, "johndoe", md5("p4ssw0rd"), 3, USR_REPORTS_TO=ADMIN_UID, USR_REPLACED_BY="2" * 32,
        USR_BIRTHDAY=date(1980, 5, 17), USR_COST_BY_HOUR="12.50", USR_UNIT_COST="USD", USR_ZIP_CODE="33101",
        USR_UX="SIMPLIFIED",
    )  # fmt: skip
    pm.add_user("2" * 32, "mary", sha256("mary's sha256 password"), 4)
    pm.add_user("3" * 32, "inactive", sha256("inactive's password"), 3, status="INACTIVE")
    pm.add_user("4" * 32, "beach", sha256("beach's password"), 3, status="VACATION")
    pm.add_user("5" * 32, "gone", sha256("gone's password"), 3, status="CLOSED")
    pm.add_user("6" * 32, "ldapuser", "0" * 32, 3, auth_type="ldapadvanced")
    pm.add_user(
        "7" * 32, "oddprofile", md5("odd's password"), 3, USR_EMAIL="not an email", USR_COUNTRY="ZZ", USR_CITY="QQ",
        USR_TIME_ZONE="Mars/Olympus",
    )  # fmt: skip
    pm.add_user("8" * 32, "auditor", sha256("auditor's password"), "a" * 32)
    pm.add_user("9" * 32, "orphan", md5("orphan's password"), 3, rbac=False)
    pm.wf.insert("USERS_PROPERTIES", USR_UID="1" * 32, USR_LOGGED_NEXT_TIME=1)
    local = "http://pm.example.com/sysworkflow/en/neoclassic/oauth2/grant"
    pm.add_client("x-pm-local-client", LOCAL_CLIENT_SECRET, "PM Web Designer", ADMIN_UID, local)
    pm.add_client("x-pm-mobile-client", "4426746995afa07e7485df1055471800", "PM Mobile App", ADMIN_UID, local)
    pm.add_client(SEED_CLIENT_ID, SEED_CLIENT_SECRET, "Seed app", "1" * 32, "https://client.example.com/callback")
    pm.add_client("QWERTYUIOPASDFGHJKLZXCVBNMQWERTY", "f" * 32, "Odd callback", "5" * 32, "not a callback at all")
    later, earlier = local_now() + timedelta(hours=2), local_now() - timedelta(minutes=5)
    for label, client, user, expires, scope in (
        ("john live", SEED_CLIENT_ID, "1" * 32, later, None),
        ("mary scoped", SEED_CLIENT_ID, "2" * 32, later, "view_processes edit_processes"),
        ("client credentials", SEED_CLIENT_ID, None, later, None),
        ("expired", SEED_CLIENT_ID, "1" * 32, earlier, None),
        ("web session", "x-pm-local-client", ADMIN_UID, later, None),
        ("inactive user", SEED_CLIENT_ID, "3" * 32, later, None),
        ("unknown client", "NOSUCHCLIENTNOSUCHCLIENTNOSUCHCL", "1" * 32, later, None),
    ):
        pm.add_token("OAUTH_ACCESS_TOKENS", token(label), client, user, expires, scope)
    pm.add_token("OAUTH_REFRESH_TOKENS", token("john refresh"), SEED_CLIENT_ID, "1" * 32, later + timedelta(days=13))
    pm.add_token("OAUTH_REFRESH_TOKENS", token("old refresh"), SEED_CLIENT_ID, "1" * 32, earlier)
    return pm


def build_2x(name: str = "legacy", *, upgraded: bool = True) -> Workspace:
    """A workspace that began on ProcessMaker 2.x and runs 3.0: wf_<name> with 3.0's USERS (md5
    passwords only: 3.0 had no sha256), rb_<name> with the RBAC tables (renamed RBAC_* by the
    upgrade, or bare when it never ran)."""
    wf, rb = Database(f"pmfx_wf_{name}"), Database(f"pmfx_rb_{name}")
    wf.run_file("workflow_schema_30.sql")
    wf.run_file("workflow_common.sql")
    rb.run_file("rbac_schema.sql")
    prefix = "RBAC_"
    if not upgraded:
        for table in ("USERS", "ROLES", "PERMISSIONS", "USERS_ROLES", "ROLES_PERMISSIONS", "SYSTEMS",
                      "AUTHENTICATION_SOURCE"):  # fmt: skip
            rb.execute(f"RENAME TABLE RBAC_{table} TO {table}")
        prefix = ""
    pm = Workspace(wf, rb, prefix)
    pm.seed_rbac()
    pm.add_user(ADMIN_UID, "admin", md5("legacy admin pass"), 2)  # 2.x and 3.0 installers: md5
    pm.add_user("1" * 32, "olduser", md5("old md5 password"), 3, USR_COUNTRY="BO")
    pm.add_user("2" * 32, "lapaz", md5("la paz password"), 4, USR_TIME_ZONE="America/La_Paz")
    pm.add_client("LEGACYCLIENTLEGACYCLIENTLEGACYCL", "e" * 32, "Legacy app", ADMIN_UID)
    later = local_now() + timedelta(hours=1)
    pm.add_token("OAUTH_ACCESS_TOKENS", token("legacy live"), "LEGACYCLIENTLEGACYCLIENTLEGACYCL", "1" * 32, later)
    return pm


def write_db_php(path: Path, pm: Workspace) -> Path:
    """shared/sites/<ws>/db.php as ProcessMaker's installer writes it."""
    lines = ["<?php", "// Processmaker configuration", "define ('DB_ADAPTER', 'mysql' );"]
    for prefix, database in (("DB_", pm.wf), ("DB_RBAC_", pm.rb), ("DB_REPORT_", pm.wf)):
        lines += [
            f"define ('{prefix}HOST', '127.0.0.1:3306' );",
            f"define ('{prefix}NAME', '{database.name}' );",
            f"define ('{prefix}USER', 'root' );",
            f"define ('{prefix}PASS', '' );",
        ]
    path.write_text("\n".join(lines) + "\n")
    return path
