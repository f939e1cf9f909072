"""What the demo company sells and how it markets it: offers, campaigns, content.

The company is *Brightline*, a fleet-telematics vendor: a SaaS platform plus
sensor kits for trucking, logistics and manufacturing fleets. Its real offer
catalog (:data:`TRUE_OFFERS`) is what the copy checker compares marketing copy
against; three content assets promise things that are not in it, and they are
the source of the demo's "misinformed" rejections.

Dates are given in days before ``now`` for a 365-day window and scaled to the
configured one, so a shorter demo still has every campaign inside it.
"""

from __future__ import annotations

from typing import NamedTuple

from revloop.engine.vocabulary import Channel, ContentKind

COMPANY = "Brightline"
SITE = "https://www.brightline.io"
PRODUCTS: tuple[str, ...] = (
    "Fleet Platform Starter",
    "Fleet Platform Pro",
    "Fleet Platform Enterprise",
    "Cold Chain Sensor Kits",
)

#: What Brightline really sells and promises. Anything else in copy is a claim to check.
TRUE_OFFERS: tuple[str, ...] = (
    "Brightline Fleet Platform subscriptions: Starter, Pro and Enterprise, billed annually.",
    "Cold Chain Sensor Kits, shipped for a flat fee of $49 per order.",
    "A free 30-day pilot for up to 10 vehicles; no refunds once a subscription starts.",
    "Data migration from another telematics provider as a paid professional service.",
    "Business-hours support on Starter; 24/7 support on Enterprise only.",
    "Integrations with fuel cards, ERP and TMS systems through the open API.",
)

#: Competitors named on lost deals; each has a small account of people who snoop.
COMPETITORS: tuple[tuple[str, str], ...] = (
    ("FleetOwl", "fleetowl.com"),
    ("TrackTide", "tracktide.io"),
    ("Routemind", "routemind.com"),
    ("Haulsense", "haulsense.de"),
    ("Motiva Telematics", "motiva-telematics.com"),
)


class CampaignSpec(NamedTuple):
    name: str
    channel: Channel
    utm_campaign: str
    utm_source: str
    utm_medium: str
    start_days_ago: float
    #: None while the campaign still runs.
    end_days_ago: float | None
    budget: int | None
    keywords: tuple[str, ...] = ()


_PS, _SOC, _EM, _EV, _WEB, _SYN, _REF = (
    Channel.PAID_SEARCH,
    Channel.PAID_SOCIAL,
    Channel.EMAIL,
    Channel.EVENTS,
    Channel.WEBINARS,
    Channel.CONTENT_SYNDICATION,
    Channel.REFERRAL,
)

CAMPAIGNS: tuple[CampaignSpec, ...] = (
    CampaignSpec(
        "Paid Search - Brand",
        _PS,
        "ps-brand",
        "google",
        "cpc",
        420,
        None,
        36_000,
        ("brightline", "brightline fleet", "brightline pricing", "brightline login"),
    ),
    CampaignSpec(
        "Paid Search - Fleet Telematics",
        _PS,
        "ps-fleet-telematics",
        "google",
        "cpc",
        420,
        None,
        120_000,
        (
            "fleet tracking software",
            "gps fleet management",
            "telematics platform",
            "fleet management system",
            "truck tracking",
        ),
    ),
    CampaignSpec(
        "Paid Search - Competitor Terms",
        _PS,
        "ps-competitors",
        "google",
        "cpc",
        420,
        None,
        45_000,
        ("fleetowl alternative", "tracktide pricing", "routemind vs"),
    ),
    CampaignSpec(
        "Paid Search - Cold Chain Monitoring",
        _PS,
        "ps-cold-chain",
        "bing",
        "cpc",
        200,
        None,
        30_000,
        ("cold chain monitoring", "reefer temperature sensor", "haccp logging"),
    ),
    CampaignSpec(
        "LinkedIn - Fuel Cost White Paper",
        _SOC,
        "li-fuel-cost-wp",
        "linkedin",
        "paid_social",
        420,
        None,
        90_000,
    ),
    CampaignSpec(
        "LinkedIn - Website Retargeting",
        _SOC,
        "li-retargeting",
        "linkedin",
        "paid_social",
        420,
        None,
        40_000,
    ),
    CampaignSpec(
        "LinkedIn - Driver Safety Lead Gen",
        _SOC,
        "li-leadgen-safety",
        "linkedin",
        "paid_social",
        300,
        150,
        55_000,
    ),
    CampaignSpec(
        "Facebook - Small Fleet Promo",
        _SOC,
        "fb-small-fleet",
        "facebook",
        "paid_social",
        240,
        120,
        25_000,
    ),
    CampaignSpec(
        "Newsletter - The Fleet Brief",
        _EM,
        "email-newsletter",
        "hubspot",
        "email",
        420,
        None,
        None,
    ),
    CampaignSpec(
        "Nurture - New Leads",
        _EM,
        "email-nurture",
        "hubspot",
        "email",
        420,
        None,
        None,
    ),
    CampaignSpec(
        "Nurture - Re-engage Recycled",
        _EM,
        "email-reengage",
        "hubspot",
        "email",
        420,
        None,
        None,
    ),
    CampaignSpec(
        "Product Launch - Cold Chain Sensors",
        _EM,
        "email-launch-coldchain",
        "hubspot",
        "email",
        200,
        185,
        5_000,
    ),
    CampaignSpec(
        "ABM - Tier 1 Logistics Accounts",
        _EM,
        "abm-tier1-logistics",
        "hubspot",
        "email",
        330,
        None,
        60_000,
    ),
    CampaignSpec(
        "Logistics Tech Expo Chicago",
        _EV,
        "event-ltx-chicago",
        "event",
        "event",
        300,
        298,
        85_000,
    ),
    CampaignSpec(
        "Fleet Forward Summit Berlin",
        _EV,
        "event-fleet-forward-berlin",
        "event",
        "event",
        232,
        231,
        60_000,
    ),
    CampaignSpec(
        "Supply Chain Week Amsterdam",
        _EV,
        "event-scw-amsterdam",
        "event",
        "event",
        152,
        150,
        50_000,
    ),
    CampaignSpec(
        "Brightline Roadshow Dallas",
        _EV,
        "event-roadshow-dallas",
        "event",
        "event",
        90,
        90,
        15_000,
    ),
    CampaignSpec(
        "ProMat Manufacturing Fair",
        _EV,
        "event-promat",
        "event",
        "event",
        42,
        40,
        70_000,
    ),
    CampaignSpec(
        "Webinar - Cutting Idle Time by 20%",
        _WEB,
        "webinar-idle-time",
        "brightline",
        "webinar",
        330,
        330,
        4_000,
    ),
    CampaignSpec(
        "Webinar - EU Tachograph Rules Explained",
        _WEB,
        "webinar-tachograph",
        "brightline",
        "webinar",
        280,
        280,
        4_000,
    ),
    CampaignSpec(
        "Webinar - Cold Chain Compliance in Practice",
        _WEB,
        "webinar-cold-chain",
        "brightline",
        "webinar",
        225,
        225,
        4_000,
    ),
    CampaignSpec(
        "Webinar - Predictive Maintenance for Mixed Fleets",
        _WEB,
        "webinar-predictive-maintenance",
        "brightline",
        "webinar",
        170,
        170,
        4_000,
    ),
    CampaignSpec(
        "Webinar - Driver Safety Scorecards That Work",
        _WEB,
        "webinar-safety-scorecards",
        "brightline",
        "webinar",
        120,
        120,
        4_000,
    ),
    CampaignSpec(
        "Webinar - Fuel Card Fraud Detection",
        _WEB,
        "webinar-fuel-fraud",
        "brightline",
        "webinar",
        70,
        70,
        4_000,
    ),
    CampaignSpec(
        "Webinar - Building the Business Case for Telematics",
        _WEB,
        "webinar-business-case",
        "brightline",
        "webinar",
        25,
        25,
        4_000,
    ),
    CampaignSpec(
        "Syndication - NetLine Fleet Benchmark",
        _SYN,
        "synd-netline-benchmark",
        "netline",
        "syndication",
        420,
        None,
        48_000,
    ),
    CampaignSpec(
        "Syndication - TechTarget Buyer's Guide",
        _SYN,
        "synd-techtarget-guide",
        "techtarget",
        "syndication",
        280,
        60,
        36_000,
    ),
    CampaignSpec(
        "Partner Referral Program",
        _REF,
        "partner-referral",
        "partner",
        "referral",
        420,
        None,
        20_000,
    ),
    CampaignSpec(
        "Customer Referral Rewards",
        _REF,
        "customer-referral",
        "customer",
        "referral",
        180,
        None,
        12_000,
    ),
)


class ContentSpec(NamedTuple):
    title: str
    kind: ContentKind
    path: str
    campaign: str | None
    published_days_ago: float
    body: str
    #: The promise the company cannot keep, or "" when the copy is honest.
    false_promise: str = ""


_WP, _EB, _CS, _WB, _LP, _PP, _DR, _BP, _DS, _VID, _EML = (
    ContentKind.WHITE_PAPER,
    ContentKind.EBOOK,
    ContentKind.CASE_STUDY,
    ContentKind.WEBINAR,
    ContentKind.LANDING_PAGE,
    ContentKind.PRICING_PAGE,
    ContentKind.DEMO_REQUEST,
    ContentKind.BLOG_POST,
    ContentKind.DATASHEET,
    ContentKind.VIDEO,
    ContentKind.EMAIL,
)

CONTENT: tuple[ContentSpec, ...] = (
    # White papers: the lead magnets. Many downloads, little revenue.
    ContentSpec(
        "The Hidden Cost of Idle Fuel",
        _WP,
        "/resources/white-papers/hidden-cost-of-idle-fuel",
        "LinkedIn - Fuel Cost White Paper",
        400,
        "Idling burns up to 8% of a heavy fleet's fuel. This paper breaks the cost down by "
        "vehicle class and shows how telemetry data finds the worst offenders.",
    ),
    ContentSpec(
        "Fleet Benchmark Report",
        _WP,
        "/resources/white-papers/fleet-benchmark-report",
        "Syndication - NetLine Fleet Benchmark",
        400,
        "We surveyed 600 fleet operators about utilisation, maintenance and fuel. Compare "
        "your fleet with the median and the top quartile on twelve metrics.",
    ),
    ContentSpec(
        "Telematics Buyer's Guide",
        _WP,
        "/resources/white-papers/telematics-buyers-guide",
        "Syndication - TechTarget Buyer's Guide",
        300,
        "A vendor-neutral checklist for choosing a telematics platform: hardware, data "
        "ownership, integrations and total cost of ownership over five years.",
    ),
    ContentSpec(
        "Cold Chain Compliance Handbook",
        _WP,
        "/resources/white-papers/cold-chain-handbook",
        None,
        210,
        "Temperature excursions cost food and pharma shippers millions. The handbook maps "
        "HACCP and GDP requirements to the sensor data that proves compliance.",
    ),
    ContentSpec(
        "Driver Safety Programs That Cut Claims",
        _WP,
        "/resources/white-papers/driver-safety-programs",
        "LinkedIn - Driver Safety Lead Gen",
        310,
        "Fleets with coached drivers file fewer insurance claims. Learn how to set up "
        "scorecards, coaching and incentives that drivers accept.",
    ),
    ContentSpec(
        "Predictive Maintenance ROI Model",
        _WP,
        "/resources/white-papers/predictive-maintenance-roi",
        None,
        400,
        "A worksheet and method to estimate what predictive maintenance saves on "
        "breakdowns, towing and lost deliveries for a fleet of your size.",
    ),
    ContentSpec(
        "Electrifying the Last Mile",
        _WP,
        "/resources/white-papers/electrifying-last-mile",
        None,
        110,
        "Which routes are ready for electric vans today? A data-driven method to pick the "
        "first routes to electrify and size the charging you need.",
    ),
    ContentSpec(
        "The State of Fleet Data",
        _WP,
        "/resources/white-papers/state-of-fleet-data",
        None,
        400,
        "Most fleets collect more data than they use. We look at where fleet data lives, "
        "who trusts it and what it takes to act on it daily.",
    ),
    # E-books: two of them promise what the catalog does not offer.
    ContentSpec(
        "10 Ways to Cut Fleet Costs This Year",
        _EB,
        "/resources/ebooks/10-ways-to-cut-fleet-costs",
        None,
        400,
        "Ten practical levers, from route planning to tyre pressure, with the savings "
        "fleets like yours reported after a year on Brightline.",
    ),
    ContentSpec(
        "The Sensor Kit Buying Checklist",
        _EB,
        "/resources/ebooks/sensor-kit-checklist",
        None,
        260,
        "Everything to check before you buy temperature and door sensors for your trailers. "
        "Order today: every Brightline sensor kit comes with free shipping, and installation "
        "takes an afternoon.",
        "free shipping",
    ),
    ContentSpec(
        "Switching Telematics Providers Made Easy",
        _EB,
        "/resources/ebooks/switching-providers",
        "Paid Search - Competitor Terms",
        380,
        "Stuck with a legacy tracker? Moving is easier than you think. Our team handles it "
        "end to end with free migration of all your historical trip data.",
        "free migration",
    ),
    ContentSpec(
        "Fleet Manager's Guide to Telematics",
        _EB,
        "/resources/ebooks/fleet-managers-guide",
        None,
        400,
        "A plain-language introduction to telematics for fleet managers: what the data "
        "means, which reports matter and how to win over drivers.",
    ),
    # Case studies: high intent, and they convert.
    ContentSpec(
        "How Nordhaven Freight Cut Idle Time 23%",
        _CS,
        "/customers/nordhaven-freight",
        None,
        400,
        "Nordhaven Freight runs 420 trucks across Scandinavia. With Brightline's idle "
        "alerts and driver coaching they cut idle time by 23% in six months.",
    ),
    ContentSpec(
        "FreshWay Foods Keeps Its Cold Chain Audit-Ready",
        _CS,
        "/customers/freshway-foods",
        None,
        190,
        "FreshWay Foods replaced paper temperature logs with Brightline sensors and passed "
        "its last three audits without a single finding.",
    ),
    ContentSpec(
        "Midland Manufacturing Halves Unplanned Downtime",
        _CS,
        "/customers/midland-manufacturing",
        None,
        400,
        "Midland's service vans used to break down weekly. Predictive maintenance alerts "
        "now schedule repairs before failures happen.",
    ),
    ContentSpec(
        "Transalpine Logistics Goes Paperless",
        _CS,
        "/customers/transalpine-logistics",
        None,
        320,
        "Digital tachograph downloads and automatic driver-hours reports saved Transalpine "
        "two office days a week.",
    ),
    ContentSpec(
        "Metro Waste Services Improves Driver Safety",
        _CS,
        "/customers/metro-waste",
        None,
        140,
        "Harsh braking events fell by 41% after Metro Waste rolled out safety scorecards "
        "and in-cab coaching to 180 drivers.",
    ),
    # One webinar asset per webinar campaign.
    ContentSpec(
        "Cutting Idle Time by 20%",
        _WB,
        "/webinars/idle-time",
        "Webinar - Cutting Idle Time by 20%",
        345,
        "A live session with Nordhaven Freight on the alerts, coaching and reports that "
        "cut their idle time, with a Q&A at the end.",
    ),
    ContentSpec(
        "EU Tachograph Rules Explained",
        _WB,
        "/webinars/tachograph",
        "Webinar - EU Tachograph Rules Explained",
        295,
        "Our compliance lead walks through the smart tachograph rules and how to automate "
        "downloads and driver-hours reporting.",
    ),
    ContentSpec(
        "Cold Chain Compliance in Practice",
        _WB,
        "/webinars/cold-chain",
        "Webinar - Cold Chain Compliance in Practice",
        240,
        "How FreshWay Foods proves temperature compliance to auditors with sensor data, "
        "step by step.",
    ),
    ContentSpec(
        "Predictive Maintenance for Mixed Fleets",
        _WB,
        "/webinars/predictive-maintenance",
        "Webinar - Predictive Maintenance for Mixed Fleets",
        185,
        "Mixed fleets make maintenance planning hard. See how fault codes and mileage data "
        "predict the next repair.",
    ),
    ContentSpec(
        "Driver Safety Scorecards That Work",
        _WB,
        "/webinars/safety-scorecards",
        "Webinar - Driver Safety Scorecards That Work",
        135,
        "What goes into a fair driver scorecard, how to coach with it and how to keep "
        "drivers on side.",
    ),
    ContentSpec(
        "Fuel Card Fraud Detection",
        _WB,
        "/webinars/fuel-fraud",
        "Webinar - Fuel Card Fraud Detection",
        85,
        "Matching fuel card transactions with vehicle location catches fraud automatically. "
        "We show the rules that work.",
    ),
    ContentSpec(
        "Building the Business Case for Telematics",
        _WB,
        "/webinars/business-case",
        "Webinar - Building the Business Case for Telematics",
        40,
        "Finance asks for numbers. Build a business case with fuel, maintenance and "
        "insurance savings your CFO will sign.",
    ),
    # Landing pages; the Facebook promo makes a promise the company does not keep.
    ContentSpec(
        "Fleet Tracking Software",
        _LP,
        "/lp/fleet-tracking",
        "Paid Search - Fleet Telematics",
        400,
        "Real-time GPS tracking, idle alerts and maintenance reminders in one platform. "
        "Start a free 30-day pilot for up to 10 vehicles.",
    ),
    ContentSpec(
        "Small Fleet Promo",
        _LP,
        "/lp/small-fleet-promo",
        "Facebook - Small Fleet Promo",
        245,
        "Running fewer than 50 vehicles? Get Brightline Starter today with a 30-day "
        "money-back guarantee and free shipping on your first sensor kit.",
        "money-back guarantee",
    ),
    ContentSpec(
        "Cold Chain Sensors",
        _LP,
        "/lp/cold-chain-sensors",
        "Paid Search - Cold Chain Monitoring",
        205,
        "Wireless temperature and door sensors for reefers and cold rooms, with alerts and "
        "audit-ready reports. Kits ship for a flat $49.",
    ),
    ContentSpec(
        "Driver Safety Lead Gen Form",
        _LP,
        "/lp/driver-safety",
        "LinkedIn - Driver Safety Lead Gen",
        305,
        "Download our driver safety white paper and get a sample scorecard for your fleet.",
    ),
    ContentSpec(
        "Brightline Partner Program",
        _LP,
        "/partners/refer",
        "Partner Referral Program",
        400,
        "Partners who refer a fleet to Brightline earn a referral fee on the first year's "
        "subscription.",
    ),
    ContentSpec(
        "Brightline Overview",
        _LP,
        "/lp/overview",
        None,
        400,
        "One platform for tracking, maintenance, safety and compliance, built for fleets of "
        "20 to 5,000 vehicles.",
    ),
    # The pages that convert.
    ContentSpec(
        "Pricing",
        _PP,
        "/pricing",
        None,
        400,
        "Starter, Pro and Enterprise plans, billed annually per vehicle. Sensor kits ship for "
        "a flat fee. Enterprise adds 24/7 support and a named success manager.",
    ),
    ContentSpec(
        "Request a Demo",
        _DR,
        "/demo",
        None,
        400,
        "See Brightline with your own routes. A solutions engineer prepares a 30-minute demo "
        "for your fleet and answers your questions.",
    ),
    # Blog posts: organic traffic.
    ContentSpec(
        "What Is Fleet Telematics?",
        _BP,
        "/blog/what-is-fleet-telematics",
        None,
        400,
        "Telematics combines GPS, engine data and sensors to show where your vehicles are "
        "and how they are driven. Here is what it can and cannot do.",
    ),
    ContentSpec(
        "Five Signs Your Fleet Needs Predictive Maintenance",
        _BP,
        "/blog/signs-you-need-predictive-maintenance",
        None,
        350,
        "Rising towing bills and surprise breakdowns are symptoms. These five signs tell you "
        "it is time to plan repairs from data.",
    ),
    ContentSpec(
        "How to Calculate Fleet Utilisation",
        _BP,
        "/blog/fleet-utilisation",
        None,
        400,
        "Utilisation is the metric most fleets get wrong. A simple formula and the data you "
        "need to track it weekly.",
    ),
    ContentSpec(
        "Idle Time: The Silent Budget Killer",
        _BP,
        "/blog/idle-time",
        None,
        300,
        "An idling truck burns about a gallon an hour. Small habits add up to large bills.",
    ),
    ContentSpec(
        "ELD and Tachograph Compliance Checklist",
        _BP,
        "/blog/eld-tachograph-checklist",
        None,
        250,
        "A short checklist for hours-of-service compliance on both sides of the Atlantic.",
    ),
    ContentSpec(
        "Electric Vans: Lessons From the First Year",
        _BP,
        "/blog/electric-vans-first-year",
        None,
        95,
        "Three customers share what surprised them in their first year with electric vans.",
    ),
    # Datasheets: mid-funnel evaluation.
    ContentSpec(
        "Brightline Platform Datasheet",
        _DS,
        "/resources/datasheets/platform",
        None,
        400,
        "Features, integrations and plan comparison of the Brightline Fleet Platform.",
    ),
    ContentSpec(
        "Cold Chain Sensor Kit Datasheet",
        _DS,
        "/resources/datasheets/cold-chain-kit",
        None,
        205,
        "Sensor specifications, battery life and certifications of the Cold Chain Sensor Kit. "
        "Kits ship for a flat fee of $49 per order.",
    ),
    ContentSpec(
        "Security and Compliance Overview",
        _DS,
        "/resources/datasheets/security",
        None,
        400,
        "How Brightline protects fleet data: hosting in the EU and US, encryption, access "
        "controls and audits.",
    ),
    # Videos.
    ContentSpec(
        "Product Tour in 4 Minutes",
        _VID,
        "/videos/product-tour",
        None,
        400,
        "A four-minute tour of the Brightline dashboard, alerts and reports.",
    ),
    ContentSpec(
        "Customer Story: Nordhaven Freight",
        _VID,
        "/videos/nordhaven-story",
        None,
        330,
        "Nordhaven's fleet director on why they chose Brightline and what changed.",
    ),
    # Emails.
    ContentSpec(
        "The Fleet Brief",
        _EML,
        "/email/fleet-brief",
        "Newsletter - The Fleet Brief",
        400,
        "This month: idle time benchmarks, a new cold chain handbook and two webinars to "
        "save the date for.",
    ),
    ContentSpec(
        "Getting Started With Fleet Data",
        _EML,
        "/email/nurture-getting-started",
        "Nurture - New Leads",
        400,
        "Thanks for downloading our guide. Here are three reports fleet managers open first "
        "and a customer story to go with them.",
    ),
    ContentSpec(
        "We Miss You: What's New at Brightline",
        _EML,
        "/email/reengage",
        "Nurture - Re-engage Recycled",
        400,
        "A lot has changed since we last spoke: cold chain sensors, fuel card integrations "
        "and a faster mobile app.",
    ),
    ContentSpec(
        "Introducing Cold Chain Sensor Kits",
        _EML,
        "/email/launch-cold-chain",
        "Product Launch - Cold Chain Sensors",
        200,
        "Our new wireless sensor kits bring temperature and door alerts to every trailer.",
    ),
    ContentSpec(
        "A Fleet Plan for Logistics Leaders",
        _EML,
        "/email/abm-logistics",
        "ABM - Tier 1 Logistics Accounts",
        330,
        "A tailored note for logistics leaders: what fleets like yours saved in year one, and "
        "an invitation to a private briefing.",
    ),
)

#: Pages of the site that are not content assets (home, product, careers ...).
SITE_PAGES: tuple[str, ...] = (
    "/",
    "/product",
    "/product/tracking",
    "/product/maintenance",
    "/integrations",
    "/customers",
    "/about",
    "/careers",
    "/contact",
)
