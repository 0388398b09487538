"""Reading and writing case files, in one place: the workbook schema types (``schema``), the
reader that types every cell (``reader``), the schema-driven checks shared by the families
(``checks``), templates (``template``), explicit coalition tables (``explicit``, ``labels``)
and atomic file output (``files``).

Each model family declares its own sheets next to its model (``models/<family>/schema.py``)
with the types of :mod:`fairpool.optimizer.workbook.schema`; nothing here knows a family.
"""
