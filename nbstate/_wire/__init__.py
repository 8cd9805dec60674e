"""The traitlets bridge and the wire: state models, what the browser sends, what it gets."""
