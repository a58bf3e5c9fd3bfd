"""The one exception pdfgen raises for bad input."""


class FormError(ValueError):
    """A form could not be produced or an upload was refused; the message is Chinese."""

    def __init__(self, problems):
        if isinstance(problems, str):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("；".join(self.problems))
