"""Privacy notices rendered from the register: text, versions, diffs, announcements."""
