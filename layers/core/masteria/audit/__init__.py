"""The audit log: who did what bulk action, import or export, when, and to how many."""
