"""The thread pool of training and counting: items produced by the calling thread, consumed by worker threads.

Private module (training in :mod:`cw2v.word2vec`, counting a corpus file in :mod:`cw2v._corpus_file`). It
imports no other cw2v module.
"""
from __future__ import annotations

import queue
import threading


def pipeline(items, make_worker, n_threads, queue_size, on_item=None):
    """Hand `items`, produced by the calling thread, to `n_threads` threads through a bounded queue.

    Thread ``i`` runs ``make_worker(i)(item)`` for each item it takes. The first exception raised by a
    worker stops the feeding, the remaining queued items are dropped, and it is re-raised here once every
    thread has ended; an exception in the producer (the corpus iterator, ``KeyboardInterrupt``) likewise
    stops the workers before it propagates.

    Parameters
    ----------
    items : iterable
        Work items, iterated in the calling thread (``None`` is not allowed as an item: it ends a thread).
    make_worker : callable
        ``make_worker(i)`` gives the callable thread ``i`` (0 <= i < `n_threads`) applies to each item it
        takes; it is called once per thread, in the calling thread, before any item is produced.
    n_threads : int
        Number of worker threads (>= 1), named ``cw2v-worker-<i>``, daemonic.
    queue_size : int
        Items queued at most (>= 1): the producer waits while the queue is full.
    on_item : callable, optional
        ``on_item(item)`` runs in the calling thread after each item is queued (progress reports).

    Raises
    ------
    BaseException
        The first exception raised by a worker (others are dropped), or the producer's exception.
    """
    work_queue = queue.Queue(maxsize=queue_size)
    errors = []
    stop = threading.Event()

    def run(work):
        while True:
            item = work_queue.get()
            if item is None:
                return
            if stop.is_set():
                continue
            try:
                work(item)
            except BaseException as exc:  # noqa: BLE001 -- re-raised by the calling thread after the join
                errors.append(exc)
                stop.set()

    threads = [threading.Thread(target=run, args=(make_worker(i),), name="cw2v-worker-%d" % i, daemon=True)
               for i in range(n_threads)]
    for t in threads:
        t.start()
    try:
        for item in items:
            while not stop.is_set():
                try:
                    work_queue.put(item, timeout=0.1)
                    break
                except queue.Full:
                    pass
            if stop.is_set():
                break
            if on_item is not None:
                on_item(item)
    except BaseException:
        stop.set()
        raise
    finally:
        for _ in threads:
            work_queue.put(None)
        for t in threads:
            t.join()
    if errors:
        raise errors[0]
