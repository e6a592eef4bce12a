"""Excel import of archives: the generic framework and its pages.

- ``values``: what real sheets contain -> clean values (numbers as text, ㎡, dates, phones, 是/否)
- ``headers``: header row detection and header -> field matching (synonyms, full-width, units)
- ``reading``: .xlsx/.xls/.csv -> rows (merged cells filled)
- ``spec``: ``ImportSpec`` and ``Field``, the registry (apps declare theirs in ``<app>/imports.py``)
- ``engine``: ``run_import`` (dry run or all-or-nothing commit), used by the jobs and the command
- ``services``, ``views``, ``urls``: upload -> mapping -> check -> import, as background jobs
- ``models``: ``ImportBatch`` (this package is the installed app ``importing``)
"""
