"""kcjs: templates and compliance checks for the documents of Jiangsu's 科创江苏 special program.

Everything kcjs installs lives under this one name: kcjs.pipeline (CLI, rule pack, readers, batch,
reporters, forms), kcjs.checkers (one module per rule concern), kcjs.templates (.docx templates) and
kcjs.corpus (labelled sample documents and their generator)."""
