"""Colour contrast by WCAG 2.1: which text colour a rating's badge needs to stay legible."""

from __future__ import annotations

__all__ = ["contrast_ratio", "luminance", "text_colour_on"]


def luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of a ``#rrggbb`` colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def text_colour_on(background: str) -> str:
    """White or black, whichever contrasts more with the ``#rrggbb`` colour ``background``."""
    white, black = contrast_ratio(background, "#ffffff"), contrast_ratio(background, "#000000")
    return "#ffffff" if white >= black else "#000000"


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2.1 contrast ratio of two ``#rrggbb`` colours (1 to 21; AA asks 4.5 for normal text)."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
