"""Signals the registry sends for other domains (policies, cultivation) to react to.

`enterprises_changed` is sent after a bulk write (an import) has been committed, with the
primary keys of the enterprises created or updated (`ids`): bulk writes bypass the per-row
`post_save` signals, so listeners that react to data changes connect here too.
"""

from django.dispatch import Signal

enterprises_changed = Signal()  # sender=ImportBatch, ids=list[int], batch=ImportBatch
