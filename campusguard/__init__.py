"""CampusGuard: the application layer that ties the other layers into one `campusguard` command.

This package is the only place allowed to import every layer (protocols, controller, sim, hil):
it dispatches CLI verbs and nothing else.
"""

__version__ = "0.1.0"
