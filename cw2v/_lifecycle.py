"""``lifecycle_events``: gensim's record of a model's moments (created, vocabulary built, trained, saved...).

One mixin for :class:`cw2v.Word2Vec`, :class:`cw2v.KeyedVectors` and the phrase models, with gensim's
method name and record layout (gensim's ``utils.SaveLoad.add_lifecycle_event``), so code and gensim's own
functions that call ``obj.add_lifecycle_event(...)`` on them work. A leaf module.
"""
import datetime
import logging
import platform
import sys

from cw2v._version import __version__


class LifecycleEvents:
    """Mixin: ``add_lifecycle_event`` appends to ``self.lifecycle_events`` (a list, saved with the object)."""

    def add_lifecycle_event(self, event_name, log_level=logging.INFO, **event):
        """Record a moment of the object's life in ``lifecycle_events``, as gensim does.

        The record is ``event`` plus ``datetime`` (ISO 8601, local time), ``cw2v`` (version), ``python``,
        ``platform`` and ``event`` (the name). It is appended to ``self.lifecycle_events`` unless that is
        None (set it to None to stop recording) and logged at ``log_level`` (False: not logged) on the
        logger of the object's module.

        Parameters
        ----------
        event_name : str
        log_level : int or False, optional
        **event
            JSON-serializable values.
        """
        record = dict(event)
        record.update(datetime=datetime.datetime.now().isoformat(), cw2v=__version__, python=sys.version,
                      platform=platform.platform(), event=event_name)
        if log_level:
            logging.getLogger(type(self).__module__).log(log_level, "%s lifecycle event %s", type(self).__name__,
                                                         record)
        if getattr(self, "lifecycle_events", []) is not None:
            if not hasattr(self, "lifecycle_events"):
                self.lifecycle_events = []
            self.lifecycle_events.append(record)
