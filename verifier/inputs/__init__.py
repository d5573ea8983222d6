"""One parser per kind of input; ``verifier.classify`` decides which one a text goes to.

Each module's ``parse(text, ...)`` returns a frozen :class:`verifier.model.Item` or raises
:class:`verifier.errors.InvalidInputError`: ``url`` (links and bare domains), ``emailaddr``
(named so to leave the standard library's ``email`` alone), ``handle``, ``phone``, ``wallet``.
"""
