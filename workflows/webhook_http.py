"""One webhook POST over http.client, connected to an address already checked (no DNS again).

`http.client` follows no redirects and reads no proxy settings, so the request goes where the
check said and nowhere else. The TCP connection is made to the checked address; the Host
header and the TLS server name (SNI and certificate verification) stay the URL's host name.
"""

import http.client
import socket
import ssl

from apps.notifications.destinations import Destination

USER_AGENT = "ServiceDesk-Webhooks/2"
# Enough of an error answer to tell what went wrong.
ERROR_BYTES = 200


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, destination: Destination, address: str, timeout: float) -> None:
        super().__init__(destination.host, destination.port, timeout=timeout)
        self.pinned_address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.pinned_address, self.port), self.timeout)


class _PinnedHTTPS(_PinnedHTTP):
    default_port = http.client.HTTPS_PORT

    def __init__(self, destination: Destination, address: str, timeout: float) -> None:
        super().__init__(destination, address, timeout)
        # The system's trust store, hostname checking on: the certificate must name the host.
        self.tls = ssl.create_default_context()

    def connect(self) -> None:
        super().connect()
        self.sock = self.tls.wrap_socket(self.sock, server_hostname=self.host)


def post(
    destination: Destination, *, body: bytes, headers: dict[str, str], timeout: float
) -> tuple[int | None, str | None]:
    """POST `body` to the destination, trying its checked addresses in order until one
    connects; return (HTTP status, error or None). A 2xx is success, anything else an error."""
    connection_class = _PinnedHTTPS if destination.scheme == "https" else _PinnedHTTP
    headers = {
        **headers,
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Content-Length": str(len(body)),
    }
    error = "no address"
    for address in destination.addresses:
        connection = connection_class(destination, address, timeout)
        try:
            connection.request("POST", destination.target, body=body, headers=headers)
            response = connection.getresponse()
            if 200 <= response.status < 300:
                return response.status, None
            detail = response.read(ERROR_BYTES).decode(errors="replace").strip()
            return response.status, f"HTTP {response.status} {detail}".strip()
        except ConnectionRefusedError as exc:
            error = f"{type(exc).__name__}: {exc}"  # the next address may answer
        except (OSError, http.client.HTTPException) as exc:
            # Reset, timed out, a TLS failure, or a malformed answer: all worth a retry.
            return None, f"{type(exc).__name__}: {exc}"
        finally:
            connection.close()
    return None, error
