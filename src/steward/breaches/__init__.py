"""The breach register: incidents, their notification clocks, drafts, letters to subjects.

incident = service.record_incident(session, IncidentInput(...), actor="dpo@example.com")
service.clocks_of(incident, register)        # duties from law/breaches.py, due times
enqueue("breaches.count", incident_id=...)   # affected subjects from the datastores (a job)
enqueue("breaches.letters", incident_id=...) # e-mail / SMS / call list, one record each
"""
