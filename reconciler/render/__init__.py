"""Everything portctl prints as a command's result, in every format it offers.

`render.registry` is the one seam: an `Output` per document (plan, apply, drift, status,
validate, import) maps each format to a renderer and scrubs secrets from what it returns. The
other modules are the renderers and what they share: wording (`common`, `drift_common`), the
Markdown size cap (`truncate`), and one module per document and medium.
"""
