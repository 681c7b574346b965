"""The playground: ``glassnet play`` serves a page that trains networks and shows their mathematics.

The server (:mod:`glassnet.play.server`) needs the ``play`` extra
(``pip install 'glassnet[play]'``: Starlette and uvicorn); the data
(:mod:`glassnet.play.datasets`) and the sessions need only glassnet itself.
"""
