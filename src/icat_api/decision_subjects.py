"""Every kind of decision's subject, registered with the consensus engine (DESIGN section 6).

Importing a domain's ``subject`` module registers it; the app imports this module once.
"""

from icat_api.applications import subject as admission
from icat_api.chairs import subject as chair_election
from icat_api.funding import subject as funding_approval
from icat_api.publications import subject as product_sign_off
from icat_api.work_plans import subject as work_plan_decisions

REGISTERED = (admission, chair_election, funding_approval, product_sign_off, work_plan_decisions)
