"""A local HTTPS server with a certificate made on the spot, for testing GenLab's HTTPS downloads.

``python tools/tls_test_server.py FOLDER`` makes a throw-away certificate authority and a certificate
for 127.0.0.1/localhost signed by it (with the ``openssl`` command), writes the authority to
``FOLDER/ca.pem``, serves ``FOLDER/files`` over HTTPS on a free port of 127.0.0.1 and prints
``port=N`` on one line when it listens. The suite (tests/engine/test_hostile_network.py) and the
packaged-program check in ``.ci/run`` use it; neither the authority nor its key leave FOLDER.
"""

from __future__ import annotations

import functools
import ssl
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

EXTENSIONS = ("subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
              "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n")


def make_certificates(folder: Path) -> tuple[Path, Path, Path]:
    """(ca.pem, server.pem, server.key) in ``folder``, made with openssl (2048-bit RSA, valid 2 days)."""
    folder.mkdir(parents=True, exist_ok=True)
    run = functools.partial(subprocess.run, check=True, capture_output=True, cwd=folder)
    run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
         "-days", "2", "-subj", "/CN=GenLab test authority", "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
    run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
         "-subj", "/CN=localhost"])
    (folder / "server.ext").write_text(EXTENSIONS)
    run(["openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
         "-out", "server.pem", "-days", "2", "-extfile", "server.ext"])
    return folder / "ca.pem", folder / "server.pem", folder / "server.key"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(folder: Path, files: Path) -> tuple[ThreadingHTTPServer, int]:
    """An HTTPS server for ``files`` on 127.0.0.1 (in a daemon thread); (server, port)."""
    _, cert, key = make_certificates(folder)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(files)))
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, name="tls-test-server", daemon=True).start()
    return server, server.server_address[1]


if __name__ == "__main__":
    root = Path(sys.argv[1])
    (root / "files").mkdir(parents=True, exist_ok=True)
    srv, port = serve(root, root / "files")
    print(f"port={port}", flush=True)
    threading.Event().wait()
