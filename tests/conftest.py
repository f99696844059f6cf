"""What every test process shares, the pytest-xdist workers included."""

import os

# The CLI renders tables and messages with rich at the terminal's width. Test processes have
# no terminal (xdist workers see 80 columns, which wraps paths and ids mid-word), so every one
# gets the same wide console and the assertions read whole lines.
os.environ["COLUMNS"] = "200"
