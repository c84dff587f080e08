"""Regulator filings and records from the register.

``art30.py`` builds the GDPR Art. 30 record (controller and processor views), ``rkn.py`` the
152-FZ Art. 22 and Art. 12 notifications to Roskomnadzor, ``documents.py`` renders them (XLSX,
CSV, HTML, PDF), ``service.py`` keeps each draft, its status and history in the store and
reminds the operator of filing deadlines computed by ``steward.law.filings``.
"""
