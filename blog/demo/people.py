"""The demo's people and comments (the articles are Markdown files, see `blog.demo.stories`).

Everything here is fiction. Harrowfield, the River Mell, the Ostrey Valley, Calder Bridge,
Wexmoor, Kessendorf and every person named are invented; any likeness is an accident.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    email: str
    bio: str = ""
    role: str = "reader"


@dataclass(frozen=True)
class DemoComment:
    article: str  # the article's title
    author: str  # a username
    hours_after: float  # after the article was published
    body: str
    replies: tuple["DemoComment", ...] = field(default_factory=tuple)


STAFF = [
    DemoUser(
        "ilse_brannagh",
        "Ilse Brannagh",
        "ilse.brannagh@example.com",
        "Managing editor. Twenty years on local papers in the Ostrey Valley before helping "
        "to start this one. Reads every correction request herself.",
        "editor",
    ),
    DemoUser(
        "tomasz_wren",
        "Tomasz Wren",
        "tomasz.wren@example.com",
        "Reporter covering the town council, local business and Saturday football. "
        "Can usually be found in the public gallery with a flask of tea.",
        "author",
    ),
    DemoUser(
        "priya_halloran",
        "Priya Halloran",
        "priya.halloran@example.com",
        "Science, health and environment reporter. Former hydrologist; still owns waders.",
        "author",
    ),
]

READERS = [
    DemoUser("marlow_fen", "Marlow Fenwick", "marlow.fenwick@example.com"),
    DemoUser("dot_achterberg", "Dorothy Achterberg", "dot.achterberg@example.com"),
    DemoUser("sami_kettleby", "Sami Kettleby", "sami.kettleby@example.com"),
    DemoUser("rhea_mossop", "Rhea Mossop", "rhea.mossop@example.com"),
]


COMMENTS = [
    DemoComment(
        "Mell footbridge reopens after eight months of repairs",
        "marlow_fen",
        5,
        "Walked over it this morning with the dog. The lights in the handrail are lovely, "
        "but I agree with the cyclist: it was **very** slippy by the station end.",
        replies=(
            DemoComment(
                "Mell footbridge reopens after eight months of repairs",
                "dot_achterberg",
                8,
                "Same here. I've emailed the council highways team. Worth everyone doing the "
                "same so they see it isn't just one person.",
            ),
        ),
    ),
    DemoComment(
        "Volunteers count more otters on the Mell than at any time in twenty years",
        "rhea_mossop",
        3,
        "Saw one by the Mill Lane reed beds in August and thought I'd imagined it. Lovely to "
        "know there are more of them.",
    ),
    DemoComment(
        "Volunteers count more otters on the Mell than at any time in twenty years",
        "sami_kettleby",
        20,
        "41 overflows in a year is shocking. Does anyone know if the water company has "
        "answered the group yet?",
    ),
    DemoComment(
        "The council's budget gap, explained in five numbers",
        "dot_achterberg",
        6,
        "This is the first time I've understood where the money goes. Thank you for doing "
        "the reading so the rest of us don't have to.",
    ),
    DemoComment(
        "The council's budget gap, explained in five numbers",
        "marlow_fen",
        30,
        "Please don't let them charge for garden waste. People will just burn it or dump it "
        "in the lanes.",
    ),
    DemoComment(
        "Opinion: Let the market square be a square again",
        "sami_kettleby",
        2,
        "Completely agree. The multi-storey is never full and the square is wasted on cars.",
    ),
    DemoComment(
        "Opinion: Let the market square be a square again",
        "rhea_mossop",
        9,
        "I run a shop on the square and I'm less sure. A trial summer sounds fair, though, "
        "as long as someone actually counts the takings honestly.",
    ),
    DemoComment(
        "Harrowfield Athletic's floodlights finally switch on",
        "sami_kettleby",
        14,
        "What a night. My brick is the third one from the turnstile!",
    ),
    DemoComment(
        "The last hardware shop on Tanner Street is not closing, it is changing hands",
        "dot_achterberg",
        4,
        "Best news all month. Lewis cut my keys when I moved here and remembered my name "
        "the next time I came in.",
    ),
    DemoComment(
        "GP surgery merger: what changes for patients in Calder Bridge",
        "rhea_mossop",
        12,
        "The volunteer car scheme is brilliant but it needs more drivers. If you have a free "
        "morning a month, the village hall has the forms.",
    ),
]
