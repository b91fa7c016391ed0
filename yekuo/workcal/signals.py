from django.dispatch import Signal

# Sent after commit when the working days of some years changed (an official schedule replaced a
# provisional year, or office hours changed). Receivers get `years` (a sorted list of ints) and recompute
# every open clock that depends on them, recording the change on each order (REQUIREMENTS I7).
calendar_changed = Signal()
