"""Monthly payment roll pages (/payroll/): the rolls of a month and their generation, one roll
with its lines and stops, approval and discarding after a confirmation page, adjustments, the
bank file and the bank's result file, and the recoveries worklist.

Views parse input, check access and call the services (rolls/, bankfiles.py), which check
again. Every page checks the permission first (403), then looks the roll up in the user's
scope (404), so a URL reveals nothing outside it. A service's refusal is shown on the form
with the error summary; bad input (a month, an id, a file) is a message, never an error page.

One module per page group: months (the rolls of a month, generation), roll (one roll,
adjustments), approval (approve, discard), bank (bank file, printed roll, result file,
reconciliation) and recoveries; common holds what they share.
"""
