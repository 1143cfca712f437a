"""The demo's people, articles and comments: original sample text written for this project.

Everything here is fiction. Harrowfield, the River Mell, the Ostrey Valley, Calder Bridge,
Wexmoor, Kessendorf and every person named are invented; any likeness is an accident.
`days_ago` places an article in time relative to the moment the demo is loaded; a
negative value schedules it in the future.
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
class DemoArticle:
    title: str
    category: str
    author: str
    days_ago: float
    tags: tuple[str, ...]
    summary: str
    body: str
    image: str = ""
    image_alt: str = ""


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


ARTICLES = [
    # ------------------------------------------------------------------ Latest News
    DemoArticle(
        title="Mell footbridge reopens after eight months of repairs",
        category="Latest News",
        author="tomasz_wren",
        days_ago=1.2,
        tags=("River Mell", "Town council", "Transport"),
        summary="The footbridge between Mill Lane and the station car park is open again, "
        "two months later than planned and about £60,000 over budget.",
        body="""\
Pedestrians and cyclists were back on the Mell footbridge at seven o'clock on Tuesday
morning, ending an eight-month closure that sent commuters on a twenty-minute detour via
the Corn Exchange roundabout.

The council's contractor replaced the corroded steel bearings under the central span,
resurfaced the deck and added a second handrail at a lower height for children and
wheelchair users.

## Why it took longer

The work was meant to finish before the summer. According to a report to the council's
infrastructure committee, three things pushed it back:

- a wetter spring than usual, which kept the river too high for the scaffolding barge
- a six-week wait for replacement bearings from the only supplier that had them in stock
- the discovery of a nesting pair of grey wagtails under the east abutment, which meant
  work on that side had to stop until the chicks had fledged

The final cost was £412,000 against a budget of £350,000. The difference will come from
the council's highways reserve rather than from next year's budget, the committee heard.

## What people said

By eight o'clock a steady stream of commuters was crossing towards the station. Several
stopped to look at the new lighting, which is set into the handrail instead of on poles.

> I've walked round by the roundabout every day since March. I'm going to cross it twice
> today just because I can.

That was Jen Orsett, who works at the dental practice on Mill Lane. Others were less
forgiving: one cyclist said the new surface was "slippery as a fish" in the morning drizzle.
A council spokesperson said the surface would be checked after the first frost.

## What happens next

The committee will receive a full account of the overspend in the new year. Councillor
Hamid Pryce, who chairs it, said the bearings of the town's two road bridges would be
inspected next spring "so that we are not surprised again".
""",
    ),
    DemoArticle(
        title="Overnight storm cuts power to 1,400 homes in the Ostrey Valley",
        category="Latest News",
        author="tomasz_wren",
        days_ago=6.4,
        tags=("Climate", "Energy", "Community"),
        summary="Gusts of up to 70 mph brought down trees across power lines between "
        "Calder Bridge and Wexmoor. Most homes were reconnected by lunchtime.",
        body="""\
Around 1,400 homes and businesses in the upper Ostrey Valley lost power overnight on
Thursday after a band of strong wind crossed the hills faster than forecasters expected.

The network operator said gusts of up to 70 mph were recorded at the Wexmoor weather
station shortly after two in the morning. Fallen trees brought down lines in at least
five places, most of them along the lane between Calder Bridge and Hobb's End.

## Who was affected

The operator's outage map showed the largest cut in Calder Bridge itself, where about 600
properties were without electricity for nine hours. Smaller pockets were reported in:

- Hobb's End and the farms along the Wexmoor road
- the Linthorpe estate on the northern edge of Harrowfield
- three streets around St Aldric's church in Calder Bridge

By lunchtime on Friday all but 80 properties had been reconnected. Engineers expected the
remainder, mostly isolated farms, to be back on by the evening.

## Schools and roads

Calder Bridge Primary opened two hours late while the heating came back on. The Wexmoor
road was closed for most of the morning while a contractor cleared a fallen beech, and
buses on the 14 route were diverted through Linthorpe.

## Checking on neighbours

The village hall in Calder Bridge opened as a warm space from six in the morning, with
tea, phone charging and a list of residents known to rely on electrical medical equipment.

> We ring round the list every time the power goes. Most people are fine, but it only
> takes one person on their own with a dead oxygen concentrator.

That was Maureen Tallis, who has co-ordinated the hall's volunteer list since the long
outage of four winters ago. She asked anyone who wants to be added to contact the hall.

The operator said customers without power for more than twelve hours may be entitled to
compensation and should keep a note of the times their supply was lost and restored.
""",
    ),
    DemoArticle(
        title="Harrowfield library to open on Sunday afternoons from next month",
        category="Latest News",
        author="ilse_brannagh",
        days_ago=14.3,
        tags=("Community", "Town council", "Arts"),
        summary="A year-long trial will open the Market Street library from noon to four on "
        "Sundays, staffed by a mix of paid staff and trained volunteers.",
        body="""\
Harrowfield's central library will open on Sunday afternoons for the first time in more
than a decade, the town council confirmed this week.

From the first Sunday of next month, the Market Street building will open from noon until
four o'clock for a trial year. If visitor numbers hold up, the council says it will make
the hours permanent in next year's budget.

## How it is being paid for

The extra hours cost about £22,000 a year. Rather than cut elsewhere, the council is
splitting the cost three ways:

- a grant from the Ostrey Valley Community Trust covering half
- savings from moving the library's energy contract to the council's shared supplier
- a small increase in the fee for hiring the library's meeting room

On Sundays the building will be run by one paid librarian and two volunteers from the
Friends of Harrowfield Library, who have completed the same customer service and
safeguarding training as staff.

## What will be open

The ground floor lending library, children's corner, computers and printing will all be
available. The local studies room upstairs will stay closed on Sundays because its
archive needs a specialist on hand.

> Sunday is the one day a lot of families are both free at once. We kept hearing from
> parents who could never get here on a Saturday morning because of football.

That was Oona Marchetti, who chairs the Friends group and spent two years collecting
signatures for longer opening hours.

## How the trial will be judged

The council will count visitors, loans and computer sessions each Sunday and publish the
figures every quarter. The library's manager, Desmond Aylott, said he would also be
asking visitors how they usually spend their Sundays, "so we know whether we are
reaching new people or just moving our Saturday regulars".
""",
    ),
    # ------------------------------------------------------------------ Blog
    DemoArticle(
        title="Notes from the newsroom: how we check a number before we print it",
        category="Blog",
        author="ilse_brannagh",
        days_ago=3.1,
        tags=("From the newsroom", "Data"),
        summary="Every figure in a story passes four questions before it reaches you. "
        "Here they are, with the one that catches us out most often.",
        body="""\
Readers sometimes ask why a story that seems simple takes us a day longer than the
council's own press release. Most of the time the answer is a number.

A figure in a headline carries more weight than any sentence around it. So before a
number goes into one of our stories, whoever wrote the story and whoever edits it sit
down together and ask the same four questions.

## The four questions

- **Where does it come from?** We want the original document, not a summary of it. If a
  press release says spending "doubled", we find the budget papers.
- **Compared with what?** A rise from 2 to 4 is a doubling. So is a rise from 2,000 to
  4,000. We say which.
- **Is it per person?** A bigger town will have more of almost everything. Where it
  matters, we divide by population.
- **Would it survive a phone call?** We ring the organisation named and read them the
  sentence. They do not get to rewrite it, but they often spot something we missed.

## The one that catches us out

The second question is the hardest. Last spring we nearly reported that burglaries in
Harrowfield had "soared by 40 per cent". The figure was correct. It was also a rise from
ten burglaries to fourteen, in a town of thirty thousand people, in a single quarter.

> A correct number can still tell a false story. The job is to make sure it tells the
> true one.

We ran the story with the real numbers and a line explaining that small figures jump
around from quarter to quarter. It was less exciting. It was also right.

## When we get it wrong anyway

We do, occasionally. When that happens the correction goes at the top of the article,
not the bottom, and the article says what changed and when. If you ever spot a number of
ours that looks odd, please tell us. Your emails are read by an editor, not a robot.
""",
    ),
    DemoArticle(
        title="A year of reader letters, and what they taught us",
        category="Blog",
        author="ilse_brannagh",
        days_ago=22.5,
        tags=("From the newsroom", "Community"),
        summary="We received 1,163 letters and emails in our first year. We read them all, "
        "counted what they were about, and changed three things because of them.",
        body="""\
When we started this magazine we promised that a person would read every message sent to
the newsroom. A year on, that promise has meant 1,163 letters, emails and notes pushed
under the door. We kept a tally of what they were about.

## What you wrote about

Sorted by their main subject, the messages broke down roughly like this:

- roads, buses and parking: 312
- planning applications and housing: 221
- schools and the youth club: 164
- the river, flooding and the footbridge: 139
- praise, complaints and corrections about our own work: 127
- everything else, from lost cats to the price of the swimming pool: 200

The split surprised us. We had assumed the town council's budget would dominate. In fact
you wrote far more about the buses than about the budget, even though one largely decides
the other.

## Three things we changed

The letters changed what we do in small, concrete ways:

1. We now publish the bus timetable changes every month, in full, after dozens of you
   asked where to find them.
2. Planning stories now include the application number, so you can look up the plans
   yourself.
3. Our corrections now sit at the top of an article. That one came from a retired
   teacher in Linthorpe who wrote, in green ink, that a correction at the bottom "is an
   apology whispered after everyone has left the room".

> Don't tell me what the council decided. Tell me what it means for the number 14.

That line, from an email in February, is now pinned above the news desk.

## Keep writing

We cannot answer every message individually, but we do read them, and they do change our
reporting. If something in the town deserves a closer look, write to us. If we get
something wrong, write to us faster.
""",
    ),
    # ------------------------------------------------------------------ Business
    DemoArticle(
        title="The last hardware shop on Tanner Street is not closing, it is changing hands",
        category="Business",
        author="tomasz_wren",
        days_ago=4.2,
        tags=("Small business", "Community"),
        summary="After 38 years, Gwen and Alun Parry are selling Parry's Hardware to two of "
        "their own staff, who plan to keep the key-cutting and add a tool library.",
        body="""\
When a handwritten notice appeared in the window of Parry's Hardware last month, half of
Tanner Street assumed the worst. The notice said the shop was "under new ownership from
the first of the month". It did not say who the new owners were.

They turn out to be familiar faces. Kerry Ashdown and Lewis Mbeki, who between them have
worked behind the counter for nineteen years, are buying the business from Gwen and Alun
Parry, who opened it in a former butcher's shop 38 years ago.

## How the sale works

Neither of the buyers had the money to buy a shop outright. Instead, the four of them
agreed a plan with help from a small-business adviser at the Ostrey Valley Credit Union:

- the buyers pay a deposit and take over the lease of the building
- the rest of the price is paid to the Parrys in monthly instalments over six years
- Alun stays on two mornings a week for the first year, mainly to teach the
  stock-ordering system he has kept in ring binders since 1987

Sales of this kind, where a retiring owner is paid out of future profits, are common in
farming but rarer on the high street, the adviser said.

## What will change

Very little at first. The key-cutting machine, the loose nails sold by weight and the
paraffin pump are all staying.

> People come in for one screw. We're not going to stop selling them one screw.

The new owners do have one new idea. From spring, they plan to lend out expensive tools
that most households use once a year, such as carpet cleaners and tile cutters, for a
small fee. A shelf at the back is already being cleared.

## A street that is holding on

Tanner Street has lost a bank, a shoe shop and a newsagent in the last five years. The
Parrys said that was part of why they wanted to sell to staff rather than to the highest
bidder. Gwen Parry put it simply: "It had to stay a shop."
""",
    ),
    DemoArticle(
        title="Valley dairies bet on a shared bottling plant",
        category="Business",
        author="tomasz_wren",
        days_ago=17.6,
        tags=("Small business", "Farming", "Energy"),
        summary="Seven family dairy farms have formed a co-operative to build a bottling "
        "plant near Hobb's End, hoping to sell milk locally instead of to a national buyer.",
        body="""\
Seven dairy farms in the upper Ostrey Valley have formed a co-operative to build their own
milk bottling plant, in an attempt to stop selling their entire output at whatever price a
national processor offers.

The Wexmoor Dairy Co-operative has applied for planning permission for a single-storey
building on a former grain store near Hobb's End. If approved, it could be bottling milk
by late next year.

## Why the farmers are doing it

At present the seven farms sell almost all their milk to one large processor, which
collects it by tanker and sets the price each month. Over the last three years that price
has swung by more than a third.

> Twice in three years we've been paid less for a litre than it cost us to produce it.
> You can't plan a farm like that.

That was Bethan Croft, who milks 140 cows with her brother at Upper Fold Farm and chairs
the co-operative.

## The plan in numbers

According to the co-operative's business plan, shared with this magazine:

- the plant will cost about £1.9 million, with a third from a rural development grant
- it would bottle around a fifth of the farms' milk at first, rising to half
- customers would be local shops, schools, cafés and a doorstep delivery round
- solar panels on the roof and a heat pump would cover most of the plant's power use

The rest of the milk would still go to the national processor, at least for now.

## The risks

Small dairies have tried this before in other valleys and not all have survived. Bottling
is a different trade from farming, and supermarkets can undercut local milk on price.

The co-operative says it has hired an experienced plant manager and signed letters of
intent with eleven local businesses, including the Harrowfield schools catering service.
A public meeting about the planning application will be held at Hobb's End village hall
next month.
""",
    ),
    # ------------------------------------------------------------------ Entertainment
    DemoArticle(
        title="Review: 'The Lamplighter's Daughter' fills the Corn Exchange for a second week",
        category="Entertainment",
        author="ilse_brannagh",
        days_ago=5.3,
        tags=("Arts", "Review"),
        summary="The Harrowfield Players' new production of a forgotten Victorian melodrama "
        "is funny, strange and far better than it has any right to be.",
        body="""\
There is a moment halfway through the second act of *The Lamplighter's Daughter* when the
villain, twirling a moustache that is very obviously made of felt, pauses, looks straight
at the audience and sighs. The whole of the Corn Exchange laughed for nearly a minute.

That sigh is the key to the Harrowfield Players' production. The script, written in 1871
by a forgotten Ostrey Valley playwright named Josiah Venn, was found in a box of papers
donated to the town archive. Played straight it would be unbearable. Played like this,
with total seriousness and the occasional knowing glance, it is a delight.

## The performances

The company is amateur, and a few of the smaller parts show it. But the leads are
excellent:

- Saffron Illingworth is fierce and very funny as Ada, the daughter who ends up doing her
  father's job of lighting the town's gas lamps
- Barnaby Coyle steals every scene as the villain, Sir Lucius Grebe
- eleven-year-old Theo Nankivell, as a chimney sweep with one line, gets the biggest
  cheer of the night

## The staging

Director Pamela Oduya has built the set from the Corn Exchange's own history: the backdrop
is a blown-up photograph of Market Street in 1880, and the gas lamps are replicas made by
students at the valley college.

> We didn't want to make fun of the play. We wanted to enjoy it the way its first audience
> did, and then admit we're not its first audience.

That was Oduya, speaking after the opening night.

## Should you go?

Yes. The second week is almost sold out, but the company has added a Sunday matinée, and
tickets for under-sixteens are half price. Bring someone who thinks they do not like
theatre. They may leave booing the villain as loudly as anyone.
""",
    ),
    DemoArticle(
        title="Harrowfield Film Society turns fifty with a season chosen by its audience",
        category="Entertainment",
        author="ilse_brannagh",
        days_ago=19.2,
        tags=("Arts", "Community"),
        summary="For its fiftieth season the society let members vote on every film. The "
        "result is a programme nobody on the committee would have picked.",
        body="""\
For fifty years the Harrowfield Film Society has shown films on Thursday evenings in the
upstairs room of the Mechanics' Institute, first on a 16mm projector and now from a laptop
and a projector bought with a lottery grant.

For its fiftieth season the committee tried something new. Instead of choosing the
programme themselves, they asked members to vote.

## How the vote worked

Each of the society's 240 members could nominate up to three films. The committee then
checked which could legally be screened, and members voted again on a shortlist of forty.
The twelve with the most votes make up the season.

The rules were simple:

- any film, from any country and any decade
- no film the society had shown in the last ten years
- at least four films not in English, a rule the committee insisted on

## What won

The winning list includes a silent comedy, two animated films, a documentary about
lighthouse keepers and a science-fiction film from the 1970s that the society's chair,
Cyril Abernethy, describes as "gloriously terrible".

> I have sat on this committee for 31 years. I would not have chosen half of these. That
> is exactly why we did it.

## The audience is changing

Abernethy says membership has grown by a quarter in two years, mostly among people under
thirty. Many of them joined, he thinks, because the tickets cost less than a streaming
subscription and come with a discussion afterwards and a slice of cake.

The season opens on the first Thursday of next month. Non-members are welcome for a small
fee, and the society says nobody will be made to explain why they liked a film, though
most people end up doing so anyway.
""",
    ),
    # ------------------------------------------------------------------ Environment
    DemoArticle(
        title="Volunteers count more otters on the Mell than at any time in twenty years",
        category="Environment",
        author="priya_halloran",
        days_ago=2.6,
        tags=("River Mell", "Wildlife", "Climate"),
        summary="The annual otter survey found signs of at least eleven animals along the "
        "river, up from two when the count began. Cleaner water is the likely reason.",
        image="river-dusk.jpg",
        image_alt="An abstract illustration of the River Mell at dusk: layered teal waves "
        "under a pale evening sky with a low sun.",
        body="""\
Otters are back on the River Mell in numbers not seen for at least two decades, according
to the annual survey carried out by the Mell Valley Wildlife Group.

Volunteers walked 23 miles of riverbank over three weekends in September, looking for
footprints, spraints and the flattened paths otters make between the water and their
resting places. They found signs of at least eleven different animals, compared with two
when the group's count began twenty years ago.

## How you count an animal you rarely see

Otters are shy, mostly active at night and can range along several miles of river.
Volunteers rarely see one. Instead the survey relies on evidence:

- footprints in soft mud, measured to tell adults from cubs
- spraints, the droppings otters leave on rocks to mark territory
- trail cameras at six fixed points, checked every weekend

Spraint samples from this year's survey are being analysed at a university laboratory to
estimate how many individuals left them.

## Why they came back

The group's coordinator, Wendell Ashby, says the main reason is simple: cleaner water. The
Mell was badly polluted by the old tannery until the 1990s, and fish numbers took years to
recover after it closed.

> Otters follow fish. When the fish came back, it was only a matter of time.

## What could undo it

Ashby is cautious. Two of this year's eleven otters were found near the outfall from the
Calder Bridge sewage works, which overflowed into the river 41 times last year during
heavy rain. The group has asked the water company to publish the date and length of every
overflow.

Anyone who walks by the river can help. The group asks people to report sightings, keep
dogs on leads near the reed beds between March and June, and never approach a holt.
""",
    ),
    DemoArticle(
        title="Wexmoor wind plan: what the community share offer actually means",
        category="Environment",
        author="priya_halloran",
        days_ago=12.4,
        tags=("Energy", "Climate", "Town council"),
        summary="Residents can buy shares in three proposed turbines on Wexmoor ridge. We "
        "read the 80-page offer document so you do not have to.",
        image="wexmoor-ridge.jpg",
        image_alt="An abstract illustration of green upland ridges under a pale sky, with "
        "three slender white wind turbines on the skyline.",
        body="""\
Every household in the Ostrey Valley should by now have received a glossy leaflet inviting
them to buy shares in three wind turbines planned for Wexmoor ridge. The leaflet is four
pages long. The offer document behind it is eighty.

We read all of it. Here is what it says, and what it does not.

## What you would be buying

The turbines would be owned by Wexmoor Community Energy, a community benefit society. Its
rules mean each member has one vote, however many shares they hold. The key terms are:

- shares cost £1 each, with a minimum investment of £100 and a maximum of £20,000
- the society expects to pay interest of around 4 per cent a year from the third year
- shares cannot be sold to other people, but members can ask to withdraw their money
  after five years, subject to the society having the cash
- a fund worth about £40,000 a year would be paid to valley community projects

## What the leaflet leaves out

The interest rate is a target, not a promise. If the wind is weaker than forecast or the
price of electricity falls, returns could be lower or zero. Your money is also not
protected by the scheme that covers bank savings.

> If it is money you cannot afford to lock away for five years, this is not the place for
> it. That's not a criticism of the project. That is just what a share offer is.

That was Agnieszka Holm, a retired accountant in Calder Bridge who volunteers with the
valley's debt advice service.

## What happens now

The turbines do not yet have planning permission. The share offer is conditional: if
permission is refused, investors get their money back. The council's planning committee
is expected to decide in the spring, after a public consultation.

Supporters say the project would power around 4,000 homes. Objectors, mainly walkers and
residents of Wexmoor village, say the turbines would dominate an unspoiled skyline. We
will report both sides in full when the consultation opens.
""",
    ),
    DemoArticle(
        title="Tree-planting weekend: where to go and what to bring",
        category="Environment",
        author="priya_halloran",
        days_ago=-3.0,
        tags=("Community", "Climate", "Wildlife"),
        summary="Two thousand saplings need planting along the Mell and on the Linthorpe "
        "estate this weekend. Here is everything volunteers need to know.",
        body="""\
Two thousand young trees will go into the ground across Harrowfield this weekend, and the
organisers need around two hundred people to plant them.

The planting is the third year of the Mell Valley Wildlife Group's plan to link the
town's scattered patches of woodland into one green corridor along the river. Most of the
saplings are native species grown from seed by pupils at four local schools.

## Where and when

There are three sites, each running from ten in the morning until three in the afternoon
on both days:

- **Mill Lane meadow**, beside the footbridge: 900 trees, mainly willow and alder
- **Linthorpe estate green**: 600 trees, including a new hedge along Pellham Road
- **Fenner's Pond**: 500 trees, mostly oak, hazel and hawthorn

No booking is needed. Turn up at any time and a site leader will show you what to do.

## What to bring

Wear old clothes and boots that can get muddy. If you have a spade and gloves, bring
them; if not, the group has two hundred of each to lend. Bring a drink and a snack.
Children are welcome with an adult.

> You don't need to know anything about trees. You need to be able to dig a hole and be
> gentle with a root. We'll show you the rest.

That was Wendell Ashby, the group's coordinator, who has planted more than six thousand
trees in the valley over the last decade.

## Why planting now matters

Late autumn is the best time to plant bare-root trees: the ground is still soft and the
saplings are dormant. Last year nine out of ten survived their first summer, helped by
volunteers who watered them through the dry spell in July.

If the weather turns very wet, the group will post any changes on its noticeboard at the
library and on this site by eight in the morning each day.
""",
    ),
    # ------------------------------------------------------------------ Health
    DemoArticle(
        title="GP surgery merger: what changes for patients in Calder Bridge",
        category="Health",
        author="priya_halloran",
        days_ago=8.3,
        tags=("Public health", "Community"),
        summary="Calder Bridge Surgery will merge with Harrowfield Health Centre in April. "
        "The village building stays open, but opening hours and booking will change.",
        body="""\
Patients of Calder Bridge Surgery received letters this week telling them that their
practice will merge with Harrowfield Health Centre next April. For many, the first
question was whether the village surgery would close. It will not, at least not yet.

## Why the practices are merging

The Calder Bridge practice has two GPs, one of whom retires next year. The practice has
advertised for a replacement three times without success. Merging with the larger
Harrowfield practice, which has nine GPs, means the village surgery can be staffed from a
shared rota rather than depending on one or two doctors.

> We could carry on as we are until the day someone falls ill or leaves, and then we would
> have nothing. This way the village keeps a surgery.

That was Dr Rosalind Ekwueme, the senior partner at Calder Bridge.

## What changes for patients

According to the letter and a question-and-answer session held at the village hall:

- the Calder Bridge building will open four days a week instead of five
- all appointments will be booked through a single phone line and website
- patients may be offered appointments at either site, but can ask to stay in the village
- the dispensary, which supplies medicines to patients who live more than a mile from a
  pharmacy, will continue as now

Patients do not need to do anything. Their records will transfer automatically.

## Worries about transport

At the village hall meeting, several older patients said they could not easily reach
Harrowfield, which is seven miles away and served by a bus every two hours.

The practice says it will keep a set number of appointments each day for patients who
cannot travel, and it is talking to the valley's volunteer car scheme about driving
patients to Harrowfield when they need a service only the larger site offers.

The merger still needs approval from the regional health board, which is expected in
February. Patients can send comments to the practice manager until the end of January.
""",
    ),
    DemoArticle(
        title="Why the valley's flu clinics ran out of appointments in two days",
        category="Health",
        author="priya_halloran",
        days_ago=20.7,
        tags=("Public health", "Data"),
        summary="Demand for this year's flu vaccine was higher than planned for, and "
        "supplies arrive in batches. Here is what went wrong and when more slots open.",
        body="""\
Appointments at the Ostrey Valley's Saturday flu clinics were fully booked within two days
of opening this month, leaving hundreds of eligible people unable to get a slot. Several
readers wrote to ask why. The answer has more to do with delivery schedules than with a
shortage of vaccine.

## Supply arrives in batches

GP practices order flu vaccine months in advance, based on how many eligible patients
they vaccinated last year. The doses then arrive in several deliveries through the autumn,
not all at once. Practices can only open bookings for doses they actually have.

This year, Harrowfield Health Centre received its first delivery of about 2,800 doses at
the start of the month. It has around 9,000 eligible patients.

## Demand was higher than last year

Practice staff say two things pushed demand up:

- a cold snap in early October, which tends to remind people to book
- a local outbreak of a stomach bug in two care homes, widely but wrongly reported on
  social media as flu

> We had more calls in the first morning than in the whole first week last year. The
> phone system simply wasn't built for it.

That was Gareth Plummer, the practice manager.

## What happens next

The second and third deliveries are due in the next fortnight. When they arrive, the
practice will open new Saturday clinics and add weekday slots. People who are eligible
will be offered a vaccine; nobody who asks will be turned away because they missed the
first round.

Pharmacies on Market Street and in Calder Bridge also offer the vaccine to eligible
adults and had appointments available this week.

## How to tell if you are eligible

Eligibility is set nationally and includes older adults, pregnant women, people with
certain long-term conditions and some carers. If you are unsure, the practice's
reception team can check your record. Please ring after eleven in the morning, when the
lines are quieter.
""",
    ),
    # ------------------------------------------------------------------ News Analysis
    DemoArticle(
        title="The council's budget gap, explained in five numbers",
        category="News Analysis",
        author="tomasz_wren",
        days_ago=9.1,
        tags=("Town council", "Budget", "Data"),
        summary="Harrowfield council says it needs to save £2.3 million next year. We went "
        "through the budget papers to see where the gap comes from.",
        body="""\
Harrowfield Town Council says it faces a shortfall of £2.3 million in next year's budget,
and that services will have to be cut or charges raised to close it. That figure has been
quoted in every meeting for a month. Where does it actually come from?

We went through the 140 pages of budget papers. Five numbers tell most of the story.

## 1. £1.1 million: care for adults

The single biggest pressure is adult social care. The number of people over 85 in the
town has grown by a fifth in five years, and the cost of each care placement has risen
faster than inflation.

## 2. £600,000: children's transport

Transport to school for children with special educational needs now costs almost twice
what it did four years ago. Fewer specialist places nearby means longer journeys.

## 3. £400,000: energy

Heating and lighting council buildings, including the swimming pool and the Corn Exchange,
still costs far more than before the energy price rises.

## 4. £350,000: pay

A nationally agreed pay rise for council staff was higher than the council had budgeted
for.

## 5. Minus £150,000: what goes the other way

Not every number is bad news. Income from the new car park charges on Bridge Street and
lower borrowing costs take about £150,000 off the gap.

> The gap isn't one big hole. It's a lot of sensible decisions, each of which costs a bit
> more than it used to.

That was Councillor Aisling Brennock, who chairs the finance committee.

## What the council is proposing

The papers list options rather than decisions. Among them:

- raising council tax by the maximum allowed without a referendum
- closing the swimming pool one day a week
- charging for garden waste collection

A public consultation runs until the end of next month, and the budget will be set in
February. We will publish the consultation questions and how to respond next week.
""",
    ),
    DemoArticle(
        title="Why the bus timetable keeps changing, and who decides",
        category="News Analysis",
        author="tomasz_wren",
        days_ago=24.0,
        tags=("Transport", "Town council"),
        summary="The 14 has changed its timetable three times this year. The reasons run "
        "through a tangle of contracts, subsidies and a shortage of drivers.",
        body="""\
If you catch the number 14 from Harrowfield to Calder Bridge, you have had to learn a new
timetable three times this year. Readers have asked us, often forcefully, who keeps
changing it and why. The short answer is that nobody is fully in charge.

## Who runs the buses

Most bus routes in the valley are run by private companies, which decide their own
routes and fares where they think they can make money. Where they cannot, the county
council can pay a company to run a service anyway. The 14 is a mixture of both:

- on weekdays before six in the evening it runs commercially
- evening and Sunday journeys are paid for by the county council
- the school journeys at 8.05 and 3.40 are a separate contract again

Each of these pieces can change on its own timetable, and each change must be registered
with the regional traffic commissioner at least 70 days in advance.

## What changed this year

The first change, in February, cut the evening service when the county's subsidy budget
was reduced. The second, in June, moved departures by ten minutes because the operator
was short of drivers and merged two rosters. The third, in September, restored one
evening journey after the town council agreed to pay for it for a year.

> Every change made sense to the person who made it. The problem is that no one looks at
> the whole thing from a passenger's point of view.

That was Nell Ibbotson, who chairs the Ostrey Valley Bus Users' Group.

## Could it be different?

Some areas have taken more control of their buses, setting routes and fares centrally and
paying operators to run them. That costs money up front and takes years. The county
council says it is "keeping the option under review".

In the meantime, we publish every registered change to valley bus routes on the first
Monday of each month.
""",
    ),
    # ------------------------------------------------------------------ Opinion
    DemoArticle(
        title="Opinion: Let the market square be a square again",
        category="Opinion",
        author="ilse_brannagh",
        days_ago=7.2,
        tags=("Town council", "Transport", "Community"),
        summary="Eighty parking spaces occupy the heart of Harrowfield. The town would be "
        "better off giving most of them back to people.",
        body="""\
Stand at the top of Market Street on a weekday morning and look down at the square. What
you will see, mostly, is cars: eighty parking spaces, laid out in neat rows across what
was for six hundred years the place where the town met.

The council is reviewing parking in the town centre next year. It should take the
chance to give most of the square back.

## The case for change

The arguments are familiar, but they are worth stating plainly:

- the square is the only large, flat, open space in the town centre
- the multi-storey on Bridge Street, two minutes' walk away, is rarely more than
  two-thirds full, according to the council's own figures
- the Saturday market has shrunk partly because traders cannot expand past the parked
  cars

Keep the disabled spaces, the loading bays and a short-stay area for quick errands. Move
the rest to Bridge Street. Put in benches, trees and space for the market to grow.

## The case against, taken seriously

Shopkeepers on the square worry that fewer spaces outside their door will mean fewer
customers. That fear deserves respect, not mockery. But towns that have tried this have
often found that people on foot visit more often and linger longer than people who park,
dash in and drive away.

> A square full of cars is a car park with nice buildings round it.

A reader wrote that to us last year, and we have not been able to improve on it.

## Try it first

Nobody needs to decide for ever. The council could close most of the square to parking
for one summer, count the footfall and the takings, and ask traders and shoppers what
they think. If it does not work, the white lines can be painted back.

The square was built for people. It would be good to find out whether it still works for
them.

*Ilse Brannagh is the managing editor. Opinion pieces reflect the writer's view, not the
magazine's.*
""",
    ),
    DemoArticle(
        title="Opinion: Small village schools are worth what they cost",
        category="Opinion",
        author="tomasz_wren",
        days_ago=16.4,
        tags=("Schools", "Budget", "Community"),
        summary="Closing Hobb's End Primary would save money on paper. It would cost the "
        "village far more than the spreadsheet shows.",
        body="""\
Hobb's End Primary has 41 pupils, three classrooms and a playing field that floods every
February. It costs more per child to run than any other school in the valley. The county
council is consulting on whether to close it and send its pupils to Calder Bridge.

I went to Hobb's End Primary. I should say that first. I still think the case for keeping
it stands up without my nostalgia.

## What the spreadsheet counts

The council's consultation paper is honest about the savings. Closing the school would
save about £180,000 a year, mainly in staff and building costs, and fill empty places at
Calder Bridge.

## What it leaves out

The paper is less clear about the costs that fall somewhere else:

- a daily minibus for the children, on a road that closes in most winter storms
- the loss of the village's only hall large enough for meetings, which is the school hall
- families with young children choosing to live elsewhere, and the slow ageing of a
  village that is already older than most

None of these appears in the council's figures because none of them is paid from the
schools budget. They are real all the same.

> When the school goes, the village doesn't notice for five years. Then it notices that
> nobody under forty lives here.

That was said to me by a parent at the consultation meeting, who did not want to be
named. Several people nodded.

## A better question

The question should not be whether Hobb's End costs more than average. Small schools
always do. It should be whether the valley wants villages with children in them, and what
it is willing to pay for that.

The consultation closes at the end of the month. Whatever you think, respond to it.

*Tomasz Wren is a reporter for this magazine. Opinion pieces reflect the writer's view,
not the magazine's.*
""",
    ),
    DemoArticle(
        title="Opinion: Local news should show its working",
        category="Opinion",
        author="ilse_brannagh",
        days_ago=27.3,
        tags=("From the newsroom", "Data"),
        summary="Readers trust what they can check. Every story we publish should tell them how.",
        body="""\
Most of us were taught at school to show our working. A right answer with no working got
half marks, because the teacher could not tell whether you knew what you were doing or
had simply copied it from the person next to you.

Journalism would benefit from the same rule, and local journalism most of all.

## Why it matters more locally

A national newspaper's reader rarely knows the people in the story. A local reader often
does. They may have been at the council meeting, or know the shopkeeper, or live on the
street that flooded. When we get something wrong, they notice, and they are right to
wonder what else we got wrong.

## What showing our working looks like

It does not need to be complicated. Since we started, we have tried to:

- link to the documents a story is based on, such as council papers, planning
  applications and inspection reports
- say when someone declined to comment, rather than leaving them out
- explain in a line or two why we used an anonymous source, on the rare occasions we do
- put corrections at the top, with the date

> Trust isn't something readers give you. It's something you let them check.

## What it costs

Showing the working takes time, and time is the thing a small newsroom has least of.
Linking to a document means finding the right one. Explaining a source means deciding
whether you can.

I think it is worth it. Every time a reader follows a link and finds that the document
says what we said it says, we have earned a little credit. Every time they find that it
does not, we deserve to lose some.

If there is a story of ours where you could not see how we reached our conclusion, tell
us. We will show you the working, and we will try to include it next time.

*Ilse Brannagh is the managing editor.*
""",
    ),
    # ------------------------------------------------------------------ Science
    DemoArticle(
        title="A sixth-former's garden weather station joins a national dataset",
        category="Science",
        author="priya_halloran",
        days_ago=10.2,
        tags=("Schools", "Climate", "Data"),
        summary="Five years of careful readings from a back garden in Linthorpe are now "
        "part of the record climate scientists use to study local rainfall.",
        body="""\
When Femi Adeyinka-Shaw was twelve, he built a rain gauge out of a lemonade bottle and a
funnel and put it on the shed roof. Five years later, his readings from that back garden
in Linthorpe have been accepted into a national network of volunteer weather stations
used by climate researchers.

## From lemonade bottle to proper kit

The bottle did not last long. With money from birthdays and a paper round, Femi replaced
it with a standard copper rain gauge, then a thermometer screen, and finally a small
automatic station that logs readings every five minutes.

What made his data useful, researchers say, is not the equipment. It is the care:

- he has taken a manual reading at nine every morning, including on Christmas Day
- he keeps a notebook of anything unusual, such as a bird on the gauge or a frozen funnel
- he moved the gauge away from the shed when he learned it was sheltered from the wind

> Most amateur records fail because of gaps, not bad instruments. His has almost none.

That was Dr Hester Lindgren, who manages quality checks for the volunteer network and
reviewed his five years of readings before accepting them.

## Why local records matter

The nearest official weather station to Harrowfield is at Wexmoor, 300 metres higher and
eleven miles away. Rain on the ridge and rain in the valley can be very different. Records
like Femi's help fill in those gaps, especially for studying short, heavy downpours that
cause flash flooding in towns.

## What he found

Femi's own analysis, which he is submitting as part of his A-level coursework, shows that
the number of days with more than 20mm of rain in his garden has varied a lot from year
to year, which he says is too short a record to call a trend.

"Five years is nothing," he said. "Ask me again in forty."
""",
    ),
    DemoArticle(
        title="What the mud at the bottom of Fenner's Pond says about the last 600 years",
        category="Science",
        author="priya_halloran",
        days_ago=21.4,
        tags=("Climate", "Wildlife", "River Mell"),
        summary="A two-metre core of sediment pulled from a Harrowfield pond holds a record "
        "of floods, fires, farming and the town's industrial past.",
        body="""\
On a cold morning last winter, three researchers in a rubber dinghy pushed a long metal
tube into the bed of Fenner's Pond, on the western edge of Harrowfield, and pulled out two
metres of mud. This month they published what it told them.

The pond, it turns out, has been quietly keeping a diary for about six hundred years.

## How a pond keeps a record

Every year a thin layer of sediment settles on the bottom of a still pond: soil washed
in by rain, pollen blown from nearby plants, ash from fires, and anything else carried on
the wind or the water. Layer by layer, it builds up a record that can be dated and read.

The team, led by Dr Mirela Costache of the valley college's geography department, looked
at several things in each layer:

- pollen, to see which plants grew around the pond
- charcoal, as a sign of fires nearby
- metals such as lead and chromium, as a sign of industry
- the size of grains, because coarse layers often mean a flood

## What the layers showed

The oldest layers are full of tree pollen, suggesting woodland. Around the late 1500s that
gives way to grass and cereal pollen as the land was cleared for farming. In the 1800s,
chromium levels shoot up, almost certainly from the tannery on the Mell, and then fall
sharply after it closed.

> We could see the tannery open and close in the mud. It's one thing to read about it in
> the archive. It's another to hold it in your hand.

## Floods

The team found at least nine coarse layers laid down by major floods. Four of them fall in
the last 150 years, which the researchers say fits with historical records but is not
enough on its own to prove that floods are becoming more frequent.

The core is now stored at the college, and the team plans to take a second one from
another pond upstream next winter.
""",
    ),
    # ------------------------------------------------------------------ Sports
    DemoArticle(
        title="Harrowfield Athletic's floodlights finally switch on",
        category="Sports",
        author="tomasz_wren",
        days_ago=11.3,
        tags=("Football", "Community", "Energy"),
        summary="After a four-year fundraising campaign, the club played its first evening "
        "match under its own lights, and won it.",
        image="floodlights.jpg",
        image_alt="An abstract illustration of a football pitch at night, lit by four "
        "floodlights on tall poles against a dark blue sky.",
        body="""\
At 7.30 on Tuesday evening, in front of a crowd of 612, the floodlights at Harrowfield
Athletic's Pellham Road ground came on for a competitive match for the first time. Ninety
minutes later the home side had beaten Calder Bridge Rovers 2-1, and most of the crowd
stayed behind to photograph the lights.

## Four years of fundraising

The club has wanted floodlights since the league made them a condition of promotion. The
four new LED masts cost £148,000, raised from:

- a sports facilities grant covering just over half
- a loan from the town council, to be repaid over ten years
- £31,000 from supporters, through quiz nights, a sponsored walk up Wexmoor and the sale
  of engraved bricks now set into the path by the turnstile

The LED lights use about a third of the electricity older floodlights would, and can be
dimmed for training sessions.

## The match

Calder Bridge took the lead after twenty minutes, when a deflected free kick looped over
the home goalkeeper. Athletic equalised just before half-time through their captain, Kofi
Barraclough, and won it with ten minutes left when substitute Declan Oyelaran headed in a
corner at the far post.

> I've been coming here since I was six. I never thought I'd see a goal at this ground in
> the dark.

That was Pauline Hebden, 74, who has run the tea hut for twenty-two years.

## What the lights change

Beyond promotion, the lights mean the club's youth and women's teams can train on the
main pitch on winter evenings instead of hiring space in Pellham. The club's chair,
Howard Lindqvist, said the pitch would be available to local schools for evening events
at cost price.

Athletic's next home game under the lights is the Valley Cup final against Calder Bridge
later this month.
""",
    ),
    DemoArticle(
        title="The rowing club that nearly sank, and the members who bailed it out",
        category="Sports",
        author="tomasz_wren",
        days_ago=25.6,
        tags=("River Mell", "Community"),
        summary="Two years ago the Mell Rowing Club had eleven members and a leaking "
        "boathouse. Today it has a waiting list.",
        body="""\
Two winters ago the Mell Rowing Club had eleven paying members, a boathouse with a roof
that leaked onto the boats, and a bank balance that would cover about three more months
of insurance. The committee met to discuss closing the club down.

Today it has 94 members, a repaired roof and a waiting list for its beginners' course.

## What turned it round

Club members are quick to say there was no single rescue. Instead, several small changes
added up:

- a "learn to row" course priced at the cost of the coaching, run on Sunday mornings
- a partnership with Harrowfield High School, which now uses the club's boats for PE
- an indoor rowing league in the winter, held in the library car park under a gazebo
- a working party every first Saturday that fixed the roof without paying a builder

## The people behind it

Much of the credit, members say, belongs to Rosa Kettlewell, a retired nurse who took up
rowing at 61 and became club secretary a year later.

> I didn't know anything about running a club. I just knew that if we didn't ask people
> to come, nobody would.

Kettlewell spent her first winter as secretary knocking on doors in the streets nearest
the river with leaflets and a tin of biscuits. Nineteen of the people she spoke to joined.

## On the water

The club entered its first regatta in six years this summer, at Pellham, and its women's
coxed four reached the final of their category. The club has also started an adaptive
rowing session for people with disabilities, using a stable boat borrowed from a club
downriver.

The beginners' course starts again in March. The club says anyone who can swim fifty
metres is welcome to try, whatever their age.
""",
    ),
    DemoArticle(
        title="Preview: Athletic and Rovers meet again in the Valley Cup final",
        category="Sports",
        author="tomasz_wren",
        days_ago=-5.0,
        tags=("Football", "Community"),
        summary="Harrowfield Athletic host Calder Bridge Rovers under the new floodlights in "
        "the oldest cup competition in the valley. Here is what to expect.",
        body="""\
The Valley Cup is older than either of the clubs contesting this year's final. First
played for in 1894, when the trophy was a silver jug donated by a Pellham brewer, it has
been won by eleven different clubs, several of which no longer exist.

This year's final brings together Harrowfield Athletic and Calder Bridge Rovers, who met
in the league three weeks ago on the night Athletic's floodlights were switched on.
Athletic won that match 2-1. Rovers have not forgotten.

## How they got here

Athletic beat Wexmoor Wanderers 4-0 and then needed penalties to get past Pellham Town
reserves in the semi-final. Rovers had a harder route, winning three ties away from home,
including a 3-2 win at Hobb's End after extra time.

## Players to watch

- **Kofi Barraclough**, Athletic's captain, who has scored in every round
- **Ines Valdane**, Rovers' goalkeeper, who saved two penalties in the semi-final
- **Declan Oyelaran**, whose late header won the league match, and who may start this time

## The managers

Athletic's manager, Stuart Penhallow, played in the last final between the two clubs,
eleven years ago, and lost.

> I still have the losers' medal in a drawer. I'd like something to put next to it.

His opposite number at Rovers, Linda Crossthwaite, was more guarded, saying only that her
side would "turn up and play our game".

## Getting there

Kick-off is at 7.30 in the evening at Pellham Road. Entry is £5, or £2 for under-sixteens
and over-sixty-fives. The club advises arriving early, as the car park is small and
Pellham Road will be closed to through traffic from seven. Extra buses will run on the 14
route after the match.
""",
    ),
    # ------------------------------------------------------------------ Technology
    DemoArticle(
        title="Town hall moves its records online, and keeps a paper copy",
        category="Technology",
        author="tomasz_wren",
        days_ago=13.1,
        tags=("Town council", "Data"),
        summary="Planning files, council minutes and burial records going back to 1890 are "
        "being scanned and published. The originals are staying in the basement.",
        image="records-grid.jpg",
        image_alt="An abstract illustration of a grid of pale blue cards, a few of them "
        "highlighted in dark blue with lines of text, suggesting digitised records.",
        body="""\
For decades, looking up an old planning decision in Harrowfield meant writing to the town
hall, waiting up to a month and then sitting in a windowless room in the basement with a
box of files. From this month, a growing share of those records can be searched online.

## What is being scanned

The council has started with the records people ask for most often:

- council and committee minutes from 1890 to the present
- planning applications and decisions since 1948
- the burial registers for the town's two cemeteries
- building control records for properties in the conservation area

About 180,000 pages have been scanned so far, roughly a third of the total. The rest will
follow over the next two years.

## How it works

The scanning is done in the basement by two staff members and a volunteer, using a
book scanner bought with a heritage grant. Each page is photographed, then run through
text recognition software so it can be searched by word. Handwritten pages, which the
software struggles with, are indexed by hand.

> The software reads typewritten minutes from the sixties almost perfectly. It reads a
> Victorian clerk's handwriting about as well as I do before my coffee.

That was Oluwaseun Fairbairn, the council's records manager.

## Privacy and the paper originals

Records that include personal information about living people, such as some building
control files, are being checked before publication, and some details will be blacked
out. Burial records less than 75 years old will not be published online.

The paper originals will not be thrown away. The council says they remain the official
record, and the scans are a copy. A reader in the local history society had asked us
exactly that, and she was pleased with the answer.

The archive can be searched from the council's website and from the computers at the
library, where staff can help anyone who has not used it before.
""",
    ),
    DemoArticle(
        title="Repair café fixes 212 gadgets in a year, and records why they broke",
        category="Technology",
        author="priya_halloran",
        days_ago=20.1,
        tags=("Community", "Data", "Small business"),
        summary="The volunteer fixers at Harrowfield Repair Café have kept a log of every "
        "item brought in. It makes interesting reading for anyone about to buy a toaster.",
        body="""\
On the second Saturday of every month, the back hall of the Methodist church on Bridge
Street fills with broken things: lamps, toasters, radios, laptops, a surprising number of
vacuum cleaners, and once, memorably, an electric organ carried in by four people.

The Harrowfield Repair Café has been running for a year. Its volunteers have kept a
record of every item brought in, and they have shared it with us.

## The numbers

Over twelve sessions, 318 items came through the door. Of those:

- 212 were repaired and went home working
- 49 could not be fixed, usually because a part was no longer available
- 57 needed a part that the owner agreed to order and bring back

The most common items were small kitchen appliances, followed by lamps and then
headphones and chargers.

## Why things broke

The most interesting part of the log is the column headed "what was wrong". The most
common faults were surprisingly simple:

- worn or broken power cables, often just where they enter the device
- loose connections inside plugs
- batteries that could be replaced but were glued in place

> Half of what we see would have been fixed in five minutes by anyone's grandfather. The
> difference is that today the screws are hidden, or there are no screws at all.

That was Ruth Okonkwo-Barnes, a retired electrical engineer who leads the fixers.

## What the café wants

The volunteers are not against new technology, Okonkwo-Barnes says, but they would like
to see more products that can be opened with an ordinary screwdriver, and spare parts
that stay available for longer.

The café is free, though donations go towards tools and tea. It is looking for more
volunteers, especially anyone who can sew, since clothing repairs have the longest queue.
""",
    ),
    # ------------------------------------------------------------------ World
    DemoArticle(
        title="Twin town Kessendorf shares its flood barrier lessons with the Mell",
        category="World",
        author="priya_halloran",
        days_ago=15.3,
        tags=("River Mell", "Climate", "Twin towns"),
        summary="Engineers from Harrowfield's twin town spent a week on the Mell, comparing "
        "notes on the temporary flood barriers both towns now rely on.",
        body="""\
Harrowfield has been twinned with Kessendorf, a river town of about 25,000 people in a
valley much like the Ostrey, for more than forty years. For most of that time the link
meant school exchanges, a brass band visit every other summer and a plaque on the bridge.

This month it meant something more practical. Four flood engineers from Kessendorf spent
a week in Harrowfield, walking the Mell with their counterparts and comparing notes.

## Two towns, one problem

Both towns sit on rivers that have flooded more often in the last twenty years than in
the fifty before. Both have decided that permanent walls along the whole riverfront would
be too expensive and too ugly, and both now rely partly on temporary barriers that are
put up when a flood is forecast.

Kessendorf has used its barriers for twelve years. Harrowfield bought its first set three
years ago.

## What Kessendorf has learned

The visiting engineers shared several lessons, some learned the hard way:

- practise putting the barriers up at least twice a year, in the dark at least once
- store them as close to where they are needed as possible, not in a central depot
- keep a list of trained volunteers, because council staff may be stuck in traffic
- tell residents in advance exactly where the barriers will go and what to expect

> The first time we used them for real, it took us four hours. The plan said ninety
> minutes. Now it takes seventy, because we practise.

That was Jutta Reinholt, who leads Kessendorf's flood team.

## What happens next

Harrowfield's flood team plans a night-time practice on the Mill Lane stretch in the new
year, and two of its engineers will visit Kessendorf in the spring to watch a practice
there.

The town twinning association, which organised the visit, says it hopes to arrange
similar exchanges for the two towns' libraries and youth clubs.
""",
    ),
    DemoArticle(
        title="A coffee harvest far away, and the price of a flat white on Bridge Street",
        category="World",
        author="tomasz_wren",
        days_ago=18.2,
        tags=("Small business", "Climate", "Farming"),
        summary="Drought in coffee-growing regions has pushed up the cost of beans around "
        "the world. A Harrowfield roaster explains what that means for your morning cup.",
        image="market-awnings.jpg",
        image_alt="An abstract illustration of striped market awnings in red, cream, teal "
        "and orange above stalls holding cups of coffee.",
        body="""\
The price of a flat white at most cafés on Bridge Street has gone up by 20 or 30 pence
this year. The reason lies thousands of miles away, in hillside farms where a dry season
that went on far too long cut the harvest.

## From the hillside to the high street

Saoirse Delacroix-Hume has run Mellside Roasters from a converted garage on the Linthorpe
industrial estate for six years. She buys green, unroasted beans from importers who
source them from growers' co-operatives in several countries.

Over the past eighteen months, she says, the price she pays for green coffee has roughly
doubled, after poor harvests in several of the world's main growing regions were followed
by higher shipping costs.

> People think the price of coffee is the price of the cup. It's really the price of rain
> on the other side of the world, plus a container ship, plus my electricity bill.

## What she has done about it

Delacroix-Hume supplies eight cafés in the valley. Rather than pass on the whole increase,
she has:

- moved two of her blends to include beans from regions where harvests were better
- agreed a fixed price with her cafés for six months at a time, so they can plan
- cut down on the number of single-origin coffees she sells, which are harder to source

She has kept buying from one small co-operative that she has worked with since she
started, even though its beans now cost more than most.

> They kept selling to me when I was buying three sacks a year. I'm not going to drop them
> now.

## Will prices come down?

Not quickly, according to the importers she deals with. Coffee plants take several years
to recover from drought, and growers are planting hardier varieties that will not produce
a crop for some time.

For now, she suggests that anyone worried about the cost of their habit buys beans and
makes coffee at home. "Just buy them from me," she adds.
""",
    ),
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
