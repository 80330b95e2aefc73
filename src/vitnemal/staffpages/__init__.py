"""The institution's pages for its staff (case workers, diploma officers, administrators) and the operator, and the
student's consent page: ``/staff``, ``/institutions/<code>/…``. See docs/staff-pages.md."""
