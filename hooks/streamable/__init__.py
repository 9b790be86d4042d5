"""The Streamable hook: imports (or else uploads) each highlight clip to streamable.com.

Example:
    >>> from hooks.streamable import StreamableCredentials, upload_highlight
    >>> upload_highlight(highlight, StreamableCredentials.from_secret(), api_url, HttpClient(), s3)
    'https://streamable.com/abc123'
"""

from hooks.streamable.exceptions import StreamableCredentialsError, StreamableError, StreamableUploadRefusedError
from hooks.streamable.upload import DEFAULT_API_URL, StreamableCredentials, upload_highlight

__all__ = [
    "DEFAULT_API_URL",
    "StreamableCredentials",
    "StreamableCredentialsError",
    "StreamableError",
    "StreamableUploadRefusedError",
    "upload_highlight",
]
