"""`kcjs audit`: a folder or zip of submissions -> per-document checks -> cross-submission checks -> reports."""
