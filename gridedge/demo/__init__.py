"""The README's main job (``make demo``): GridEdge end to end on its embedded default.

- :mod:`.stack`: start (detached) and stop the demo's services, remembering them in a state file.
- :mod:`.follow`: trigger the workflows over Airflow's REST API and show their progress.
- :mod:`.summary`: what the run found, per site, from the tasks' XComs and the warnings log.

Runs everything on 127.0.0.1: Airflow standalone on SQLite, a Kafka broker, and two edge
sites played by the local runtime (a bare apiserver that stores EdgeTasks plus the local edge
agent). Imports no framework in-process: Airflow and the agent are separate processes.
"""
