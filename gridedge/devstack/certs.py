"""Throw-away PKI for a local control plane: a CA, a serving cert, a service-account key.

Called by :mod:`gridedge.devstack.kube`. Shells out to ``openssl``; writes only
into the directory it is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gridedge.devstack.process import run_checked
from gridedge.devstack.provision import require_tool


@dataclass(frozen=True)
class ClusterPKI:
    ca_crt: Path
    ca_key: Path
    serving_crt: Path
    serving_key: Path
    sa_key: Path
    sa_pub: Path


def make_pki(directory: Path, sans: tuple[str, ...] = ("127.0.0.1", "localhost")) -> ClusterPKI:
    openssl = require_tool("openssl")
    directory.mkdir(parents=True, exist_ok=True)
    pki = ClusterPKI(
        ca_crt=directory / "ca.crt",
        ca_key=directory / "ca.key",
        serving_crt=directory / "apiserver.crt",
        serving_key=directory / "apiserver.key",
        sa_key=directory / "sa.key",
        sa_pub=directory / "sa.pub",
    )
    if pki.sa_pub.exists() and pki.serving_crt.exists():
        return pki
    run_checked(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(pki.ca_key),
            "-out",
            str(pki.ca_crt),
            "-days",
            "3650",
            "-subj",
            "/CN=gridedge-test-ca",
        ],
        "openssl: make CA",
    )
    csr = directory / "apiserver.csr"
    run_checked(
        [
            openssl,
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(pki.serving_key),
            "-out",
            str(csr),
            "-subj",
            "/CN=kube-apiserver",
        ],
        "openssl: make serving key",
    )
    alt = ",".join(f"IP:{s}" if s[0].isdigit() else f"DNS:{s}" for s in (*sans, "10.0.0.1"))
    alt += ",DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc"
    ext = directory / "apiserver.ext"
    ext.write_text(f"subjectAltName={alt}\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment\n")
    run_checked(
        [
            openssl,
            "x509",
            "-req",
            "-in",
            str(csr),
            "-CA",
            str(pki.ca_crt),
            "-CAkey",
            str(pki.ca_key),
            "-CAcreateserial",
            "-out",
            str(pki.serving_crt),
            "-days",
            "3650",
            "-extfile",
            str(ext),
        ],
        "openssl: sign serving cert",
    )
    run_checked([openssl, "genrsa", "-out", str(pki.sa_key), "2048"], "openssl: service-account key")
    run_checked([openssl, "rsa", "-in", str(pki.sa_key), "-pubout", "-out", str(pki.sa_pub)], "openssl: public key")
    return pki
