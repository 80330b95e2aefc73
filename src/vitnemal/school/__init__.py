"""Lower-secondary school leaving certificates (vitnemål for grunnskolen) and admission points.

- :mod:`~vitnemal.school.model`, :mod:`~vitnemal.school.rules`, :mod:`~vitnemal.school.points`,
  :mod:`~vitnemal.school.ranking`: the certificate, its rules and the points, as pure functions and frozen data;
- :mod:`~vitnemal.school.names`, :mod:`~vitnemal.school.parsing`: the words schools use and loose data → model;
- :mod:`~vitnemal.school.importer`, :mod:`~vitnemal.school.service`, :mod:`~vitnemal.school.export`: files in and out;
- :mod:`~vitnemal.school.render`: the certificate as a signed PDF (typst + :mod:`vitnemal.signing`).
"""
