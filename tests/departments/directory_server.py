"""A real OpenLDAP server (Debian's slapd) for the directory login tests, on a free local port.

It serves dc=kaohe,dc=test from a temporary folder: people with a unit code in departmentNumber,
groupOfNames groups (the memberof overlay fills each person's memberOf), a reading account for the
search, anonymous reads refused, and StartTLS with a certificate made for 127.0.0.1.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

SUFFIX = "dc=kaohe,dc=test"
ROOT_DN = f"cn=admin,{SUFFIX}"
ROOT_PASSWORD = "root-secret"
READER_DN = f"cn=reader,{SUFFIX}"
READER_PASSWORD = "reader-secret"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"
PASSWORD = "Directory-Pass-2026"

# uid: (display name, unit code or None, groups)
ACCOUNTS: dict[str, tuple[str, str | None, tuple[str, ...]]] = {
    "zhang.wei": ("张伟", "OPS", ("kaohe-reps",)),
    "li.na": ("李娜", None, ("kaohe-evaluators", "kaohe-viewers")),
    "wang.fang": ("王芳", None, ()),
    "chen.jie": ("陈杰", "NOPE", ("kaohe-reps",)),
    "zhao.lei": ("赵磊", "HRM", ("kaohe-reps",)),
}
GROUP_NAMES = ("kaohe-reps", "kaohe-evaluators", "kaohe-viewers", "kaohe-admins")


def group_dn(name: str) -> str:
    return f"cn={name},{GROUPS}"


def slapd_path() -> str | None:
    return shutil.which("slapd") or next((p for p in ("/usr/sbin/slapd",) if Path(p).exists()), None)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _config(folder: Path) -> str:
    schema = Path("/etc/ldap/schema")
    includes = "\n".join(f"include {schema / name}.schema" for name in ("core", "cosine", "inetorgperson", "nis"))
    return f"""{includes}
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof
pidfile {folder}/slapd.pid
TLSCertificateFile {folder}/cert.pem
TLSCertificateKeyFile {folder}/key.pem

database mdb
suffix "{SUFFIX}"
rootdn "{ROOT_DN}"
rootpw {ROOT_PASSWORD}
directory {folder}/data
maxsize 16777216
access to attrs=userPassword by self write by anonymous auth by * none
access to * by users read by * none
overlay memberof
"""


def _entries() -> str:
    blocks = [
        f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\no: Kaohe test\ndc: kaohe",
        f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people",
        f"dn: {GROUPS}\nobjectClass: organizationalUnit\nou: groups",
        f"dn: {READER_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: reader\n"
        f"userPassword: {READER_PASSWORD}",
    ]
    for uid, (name, unit, _groups) in ACCOUNTS.items():
        lines = [f"dn: uid={uid},{PEOPLE}", "objectClass: inetOrgPerson", f"uid: {uid}", f"cn: {uid}"]
        lines += [f"sn: {uid.split('.')[0]}", f"displayName: {name}", f"mail: {uid}@kaohe.test"]
        lines += [f"departmentNumber: {unit}"] if unit else []
        lines.append(f"userPassword: {PASSWORD}")
        blocks.append("\n".join(lines))
    for group in GROUP_NAMES:
        members = [f"uid={uid},{PEOPLE}" for uid, (_n, _u, groups) in ACCOUNTS.items() if group in groups]
        # groupOfNames needs one member at least: an empty group holds the reading account.
        lines = [f"dn: {group_dn(group)}", "objectClass: groupOfNames", f"cn: {group}"]
        lines += [f"member: {dn}" for dn in members or [READER_DN]]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


@dataclass
class DirectoryServer:
    uri: str
    ca_file: Path
    process: subprocess.Popen

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def _wait_until_listening(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"slapd exited with {process.returncode}: {log.read_text()[-2000:]}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError("slapd did not start listening within 20 s")


def start_directory(folder: Path, slapd: str) -> DirectoryServer:
    (folder / "data").mkdir()
    certificate = ["-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")]
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", *certificate],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    (folder / "slapd.conf").write_text(_config(folder))
    port = free_port()
    uri = f"ldap://127.0.0.1:{port}"
    log = folder / "slapd.log"
    with log.open("w") as output:
        # -d keeps slapd in the foreground (a child of this process, stopped with it).
        process = subprocess.Popen(
            [slapd, "-f", str(folder / "slapd.conf"), "-h", f"{uri}/", "-d", "0"], stdout=output, stderr=output
        )
    try:
        _wait_until_listening(port, process, log)
        (folder / "entries.ldif").write_text(_entries())
        subprocess.run(
            ["ldapadd", "-x", "-H", uri, "-D", ROOT_DN, "-w", ROOT_PASSWORD, "-f", str(folder / "entries.ldif")],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
    except BaseException:
        process.kill()
        process.wait(timeout=10)
        raise
    return DirectoryServer(uri=uri, ca_file=folder / "cert.pem", process=process)
