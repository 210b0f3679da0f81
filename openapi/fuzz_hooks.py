"""schemathesis hooks for fuzzing Vitae (loaded by scripts/fuzz).

The bulk import takes NDJSON, which schemathesis does not serialise by itself: its body is
documented as a string, so it is sent as that text.
"""

import schemathesis

schemathesis.serializer.alias("application/x-ndjson", "text/plain")
