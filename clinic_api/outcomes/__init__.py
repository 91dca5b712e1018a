"""Outcomes: what an episode of care achieved, from its scores, visits and runs.

The pure part, which the kept summaries, endpoints and reports build on:

- :mod:`.arithmetic`: one measure's baseline, latest, change and MCID (:func:`~.arithmetic.measure_outcome`),
  the change between two scores (:func:`~.arithmetic.improvement`, :func:`~.arithmetic.mcid_reached`), and the
  return to running (:func:`~.arithmetic.return_to_run`);
- :mod:`.specs`: a :class:`~.arithmetic.MeasureSpec` from an instrument definition, a subscale, a pain context
  or a PSFS activity;
- :mod:`.story`: the episode told in sentences built only from those figures (:func:`~.story.tell`);
- :mod:`.words`: every English word the story and the chart use, in one mapping;
- :mod:`.chart`: the same outcome as one SVG figure (:func:`~.chart.render_svg`, matplotlib, imported lazily).

No Flask, no database, no marshmallow in those (import contracts in pyproject.toml); only the chart imports
matplotlib. Beside them, the HTTP layer: :mod:`.service` reads an episode's records through the lower packages'
services and hands them to the pure part, :mod:`.schemas` and :mod:`.routes` serve the outcome endpoints;
:mod:`.models` and :mod:`.summaries` keep each episode's outcome summarised for the clinic report, current after
every write (the record events), and :mod:`.cli` rebuilds them (``flask --app wsgi outcomes rebuild``).
"""
