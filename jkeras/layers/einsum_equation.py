"""The three forms of an EinsumDense equation (Keras's): no ellipsis, one on the left of
the input and output, or one on their right."""
import re

_FORMS = (("([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)", False),
          ("0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)", True),
          ("([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0", False))


def _split(equation):
    dotted = re.sub(r"\.\.\.", "0", equation)
    for pattern, left_elided in _FORMS:
        match = re.match(pattern, dotted)
        if match:
            return match.group(1), match.group(2), match.group(3), left_elided
    raise ValueError(f"Invalid einsum equation '{equation}'. Equations must be in the form "
                     "[X],[Y]->[Z], ...[X],[Y]->...[Z], or [X]...,[Y]->[Z]....")
