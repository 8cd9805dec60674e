"""Reflex's ``rx.chakra`` names for nbstate's components, so Reflex code runs as written.

``rx.chakra.number_input(...)`` is ``rx.number_input(...)``; Chakra-only names map to the nearest
nbstate component (``alert`` is a callout, ``textarea`` a text area, ``table`` a data table).
"""

from __future__ import annotations

from .components import (
    badge,
    box,
    button,
    callout,
    checkbox,
    code,
    data_table,
    divider,
    form,
    grid,
    heading,
    hstack,
    image,
    input,
    link,
    markdown,
    number_input,
    progress,
    radio_group,
    select,
    slider,
    spacer,
    spinner,
    switch,
    text,
    text_area,
    vstack,
)

textarea = text_area
alert = callout
table = data_table
flex = hstack
center = box
container = box
circular_progress = spinner

__all__ = [
    "alert",
    "badge",
    "box",
    "button",
    "callout",
    "center",
    "checkbox",
    "circular_progress",
    "code",
    "container",
    "data_table",
    "divider",
    "flex",
    "form",
    "grid",
    "heading",
    "hstack",
    "image",
    "input",
    "link",
    "markdown",
    "number_input",
    "progress",
    "radio_group",
    "select",
    "slider",
    "spacer",
    "spinner",
    "switch",
    "table",
    "text",
    "text_area",
    "textarea",
    "vstack",
]
