"""What other features use of donations: the appeal's choices, the demo's example
choices and whether real ones are still to be set up, the campaign goal's progress."""

from blog.donations.appeal import EXAMPLE_CHOICES, are_examples, choices, goal_since, progress

__all__ = ["EXAMPLE_CHOICES", "are_examples", "choices", "goal_since", "progress"]
