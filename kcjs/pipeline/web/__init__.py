"""The local web page of kcjs (`kcjs serve`): applicants check one file and get it back marked; staff
download blank forms and audit a zip. See app.py (HTTP) and service.py (what each request does)."""
