"""Live subscriptions: model changes pushed to the clients that may see them.

Two stories, possibly in different processes, joined by the channel layer:

- the **writer** (any process that saves models: the server, a shell, a worker): model signals
  (:mod:`.signals`) record each change of a model some binding serves in its transaction
  (:mod:`.changes`, :mod:`.entries`); on ``transaction.on_commit`` the changes are coalesced per
  object and published as one message per model to that model's group (:mod:`.publish`),
  through the event loop's outbox (:mod:`.outbox`); with nobody subscribed to the model in any
  process (:mod:`.interest`, asked first), no extra read is made and nothing is published;
- the **reader** (each server process): the process's hub (:mod:`.hub`) knows which of its
  connections subscribe through which binding; each connection (:mod:`.connection`) matches
  a received batch (:mod:`.received`) against its subscriptions (:mod:`.matching`), asks the
  hub for the verdicts, which :mod:`.visibility` computes once per batch, binding and user
  (a pure function of the batch, the binding and the viewers), and sends the event frames
  (:mod:`.events`).

Underneath both: :mod:`.registry` (which bindings serve which model), :mod:`.state` (an
object's state as JSON) and :mod:`.membership` (per-user querysets as SQL). Bindings get the
``subscribe`` actions from :class:`~.mixins.SubscribeModelMixin`; writes that bypass model
signals are announced with :func:`~.changes.notify` (both also exported by ``typedws``).
"""
