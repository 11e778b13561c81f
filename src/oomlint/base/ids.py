"""The rule ids that the sources, parsers, model and engine report themselves (OOM0xx).

Each check defines its own id as ``RULE`` in its module; these are the ones with no check
module, defined once here. Their published text is in rules/OOM0xx.yaml.
"""

FILE_UNREADABLE = "OOM001"
FILE_BINARY = "OOM002"
FILE_ENCODING = "OOM003"
FILE_TOO_LARGE = "OOM004"
SYNTAX_ERROR = "OOM005"
LINK_LOOP = "OOM006"
TEMPLATED_VALUE = "OOM007"
NOTHING_RECOGNISED = "OOM008"
UNUSED_SUPPRESSION = "OOM090"
INTERNAL_ERROR = "OOM099"

INPUT_RULES = (FILE_UNREADABLE, FILE_BINARY, FILE_ENCODING, FILE_TOO_LARGE, SYNTAX_ERROR,
               LINK_LOOP, TEMPLATED_VALUE, NOTHING_RECOGNISED, UNUSED_SUPPRESSION, INTERNAL_ERROR)
# A file found where oomlint looks that could not be read, or only in part.
NOT_READ_RULES = (FILE_UNREADABLE, FILE_BINARY, FILE_ENCODING, FILE_TOO_LARGE, LINK_LOOP)
