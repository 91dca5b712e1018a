"""``flask --app wsgi demo``: an empty database filled with a deterministic, realistic clinic for runners.

The layer above every other. It plans a year of the clinic as plain values, purely (the standard library, a
seeded ``random.Random`` and today's date at the clinic; checked by an import contract): ``cast`` (staff,
names, conditions), ``answers`` (questionnaire answers that score exactly what is asked), ``notes`` (SOAP
notes written from a visit's figures), ``course`` (the plan's types, trajectories, runs), ``care`` (an episode
day by day under the app's measure schedule), ``clinic`` (who comes, when, how it goes) and ``stories`` (the two
testimonials). Then ``writer`` writes each planned patient through the services, as the front desk and the
therapists would through the API, so that every rule, audit event and record event applies; ``cli`` is the
command, one commit per patient.
"""
