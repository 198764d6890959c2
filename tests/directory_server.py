"""A real OpenLDAP server for the directory tests: Debian's slapd, started on a port of its own through
python-ldap's `slapdtest`, with StartTLS under a certificate made here for localhost by a CA made
here (tests/directory_server.CA_PEM is what an authentication source is given to trust)."""

from __future__ import annotations

import datetime
import ipaddress
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import slapdtest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

SUFFIX = "dc=example,dc=com"
PEOPLE = f"ou=people,{SUFFIX}"
RETIRED = f"ou=retired,{SUFFIX}"
SEARCH_DN, SEARCH_PASSWORD = f"cn=search,{SUFFIX}", "search user's password"


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_certificates(directory: Path, host_names: list[str]) -> tuple[str, Path, Path]:
    """A CA and a server certificate it signed for `host_names` (and 127.0.0.1): the CA's PEM, and the
    server's certificate and key files."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder().subject_name(_name("pm-oauth test CA")).issuer_name(_name("pm-oauth test CA"))
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = [x509.DNSName(name) for name in host_names]
    names.append(x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
    server = (
        x509.CertificateBuilder().subject_name(_name(host_names[0])).issuer_name(ca.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    cert_file, key_file = directory / "server.pem", directory / "server.key"
    cert_file.write_bytes(server.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return ca.public_bytes(serialization.Encoding.PEM).decode(), cert_file, key_file


class Directory(slapdtest.SlapdObject):
    # Debian puts slapadd beside slapd in /usr/sbin, which a service's PATH (CI's) may leave out.
    BIN_PATH = os.pathsep.join([os.environ.get("PATH", os.defpath), "/usr/local/sbin", "/usr/sbin", "/sbin"])
    suffix = SUFFIX
    root_cn = "admin"
    root_pw = "directory root's password"
    openldap_schema_files = (
        "core.ldif",
        "cosine.ldif",
        "inetorgperson.ldif",
        str(Path(__file__).with_name("ad_schema.ldif")),
    )
    slapd_loglevel = "0"
    # Only the search user may read the people; anyone may bind (auth) as an entry.
    slapd_conf_template = slapdtest.SlapdObject.slapd_conf_template + (
        "olcAccess: {0}to attrs=userPassword by anonymous auth by self write by * none\n"
        f'olcAccess: {{1}}to * by dn.exact="{SEARCH_DN}" read by self read by * none\n'
    )

    def __init__(self) -> None:
        self.TMPDIR = tempfile.mkdtemp(prefix="pm-oauth-ldap-")
        super().__init__()
        self.ca_pem, cert_file, key_file = make_certificates(Path(self.TMPDIR), ["localhost"])
        self.cafile = str(Path(self.TMPDIR) / "ca.pem")
        Path(self.cafile).write_text(self.ca_pem)
        self.servercert, self.serverkey = str(cert_file), str(key_file)
        # LDAPS beside StartTLS: slapdtest passes its URL list to slapd -h as they are.
        self.ldaps_port = self._avail_tcp_port()
        self.ldap_uri = f"{self.ldap_uri} ldaps://127.0.0.1:{self.ldaps_port}/"

    def populate(self) -> None:
        self.ldapadd(
            "\n".join([
                f"dn: {SUFFIX}", "objectClass: dcObject", "objectClass: organization", "o: Example", "dc: example", "",
                f"dn: {PEOPLE}", "objectClass: organizationalUnit", "ou: people", "",
                f"dn: {RETIRED}", "objectClass: organizationalUnit", "ou: retired", "",
                f"dn: {SEARCH_DN}", "objectClass: simpleSecurityObject", "objectClass: organizationalRole",
                "cn: search", f"userPassword: {SEARCH_PASSWORD}", "",
            ]) + "\n"
        )  # fmt: skip

    def add_person(self, uid: str, password: str, *, under: str = PEOPLE, **attributes: str) -> str:
        """An inetOrgPerson; with Active Directory's attributes (sAMAccountName, ...) an adUser too."""
        dn = f"uid={uid},{under}"
        classes = ["objectClass: inetOrgPerson", *(["objectClass: adUser"] if "sAMAccountName" in attributes else [])]
        lines = [f"dn: {dn}", *classes, f"uid: {uid}", f"cn: {uid}",
                 f"sn: {attributes.pop('sn', 'Person')}", f"userPassword: {password}"]  # fmt: skip
        lines += [f"{name}: {value}" for name, value in attributes.items()]
        self.ldapadd("\n".join(lines) + "\n")
        return dn

    def move(self, dn: str, new_parent: str) -> None:
        rdn = dn.split(",", 1)[0]
        self.ldapmodify(f"dn: {dn}\nchangetype: modrdn\nnewrdn: {rdn}\ndeleteoldrdn: 1\nnewsuperior: {new_parent}\n")


@contextmanager
def running_directory() -> Iterator[Directory]:
    """A directory started on ports of its own with its base entries (PEOPLE, RETIRED, the search
    user), stopped at the end."""
    server = Directory()
    server.start()
    try:
        server.populate()
        yield server
    finally:
        server.stop()
