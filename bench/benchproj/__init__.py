"""The Django project the benchmark server runs: one ASGI app serving the echo, DCRF and typedws
targets on the demo's ``polls.Question`` model and ``QuestionSerializer``."""
