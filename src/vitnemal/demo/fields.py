"""The fields of study (fagområder) the demo institutions teach: course names (nb/en), credits, grading scales,
degree programme names and master thesis titles.

Each field is written as a small table, one course a line: ``<role> <credits> <scale> <name nb> | <name en>``.
Roles: ``O`` compulsory in the bachelor, ``E`` elective in the bachelor, ``M`` compulsory in the master, ``V``
elective in the master. Scales: ``L`` letter grades A–F, ``P`` pass/fail (bestått / ikke bestått). ``T`` lines
are master thesis titles. ``exams`` names the examen facultatum variant a bachelor in the field takes (``SV``,
``HF`` or ``MN``), or is empty for professional programmes that have neither exphil nor exfac.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldCourse:
    role: str
    credits: int
    scale: str  # "letter" or "pass_fail"
    name_nb: str
    name_en: str


@dataclass(frozen=True)
class Field:
    """A field of study: its code prefix, degree names, courses and thesis titles."""

    key: str
    prefix: str
    name_nb: str
    name_en: str
    exams: str
    courses: tuple[FieldCourse, ...]
    theses: tuple[str, ...]
    has_master: bool = True

    def by_role(self, role: str) -> list[FieldCourse]:
        return [c for c in self.courses if c.role == role]


def _field(key: str, prefix: str, name: str, exams: str, table: str, *, has_master: bool = True) -> Field:
    name_nb, name_en = (part.strip() for part in name.split("|"))
    courses: list[FieldCourse] = []
    theses: list[str] = []
    for raw in table.strip().splitlines():
        line = raw.strip()
        if line.startswith("T "):
            theses.append(line[2:].strip())
            continue
        role, credits, scale, rest = line.split(" ", 3)
        nb, en = (part.strip() for part in rest.split("|"))
        courses.append(FieldCourse(role, int(credits), "pass_fail" if scale == "P" else "letter", nb, en))
    return Field(key, prefix, name_nb, name_en, exams, tuple(courses), tuple(theses), has_master)


_FIELDS = (
    _field("inf", "INF", "informatikk | informatics", "MN", """
        O 10 L Grunnkurs i objektorientert programmering | Introduction to object-oriented programming
        O 10 L Diskret matematikk for informatikere | Discrete mathematics for computer scientists
        O 10 L Algoritmer og datastrukturer | Algorithms and data structures
        O 10 L Databaser | Databases
        O 10 L Operativsystemer og datakommunikasjon | Operating systems and data communication
        O 10 L Programvareutvikling | Software engineering
        E 10 L Maskinlæring | Machine learning
        E 10 L Informasjonssikkerhet | Information security
        E 10 L Menneske-maskin-interaksjon | Human-computer interaction
        E 10 L Webutvikling | Web development
        E 10 L Kompilatorteknikk | Compiler construction
        M 10 L Avanserte algoritmer | Advanced algorithms
        M 10 L Distribuerte systemer | Distributed systems
        V 10 L Dyp læring | Deep learning
        V 10 L Kryptografi | Cryptography
        V 10 L Språkteknologi | Language technology
        V 10 L Formelle metoder | Formal methods
        T Maskinlæring for tidlig varsling av sepsis i norske sykehus
        T Personvern i offentlige datadelingsplattformer: en empirisk studie
        T Automatisk testgenerering for mikrotjenestearkitekturer
        T Energy-efficient scheduling in edge computing networks
        T Norsk språkmodell for tekstklassifisering av pasientjournaler
    """),
    _field("okon", "ECON", "samfunnsøkonomi | economics", "SV", """
        O 10 L Innføring i mikroøkonomi | Introduction to microeconomics
        O 10 L Innføring i makroøkonomi | Introduction to macroeconomics
        O 10 L Matematikk for økonomer | Mathematics for economists
        O 10 L Statistikk og økonometri | Statistics and econometrics
        O 10 L Offentlig økonomi | Public economics
        E 10 L Arbeidsmarkedsøkonomi | Labour economics
        E 10 L Miljøøkonomi | Environmental economics
        E 10 L Internasjonal handel | International trade
        E 10 L Helseøkonomi | Health economics
        E 10 L Økonomisk historie | Economic history
        M 10 L Mikroøkonomisk teori | Microeconomic theory
        M 10 L Makroøkonomisk teori | Macroeconomic theory
        V 10 L Anvendt økonometri | Applied econometrics
        V 10 L Spillteori | Game theory
        V 10 L Petroleumsøkonomi | Petroleum economics
        V 10 L Finansiell økonomi | Financial economics
        T Effekten av kontantstøtte på mødres yrkesdeltakelse
        T Strømprisstøtte og husholdningenes forbruk vinteren 2022–2023
        T Minimum wages in Norwegian collective agreements
        T Skattekonkurranse mellom norske kommuner
    """),
    _field("psy", "PSY", "psykologi | psychology", "SV", """
        O 10 L Innføring i psykologi | Introduction to psychology
        O 10 L Kognitiv psykologi | Cognitive psychology
        O 10 L Utviklingspsykologi | Developmental psychology
        O 10 L Sosialpsykologi | Social psychology
        O 10 L Forskningsmetode og statistikk | Research methods and statistics
        O 10 L Biologisk psykologi | Biological psychology
        E 10 L Personlighetspsykologi | Personality psychology
        E 10 L Arbeids- og organisasjonspsykologi | Work and organisational psychology
        E 10 L Klinisk psykologi | Clinical psychology
        E 10 L Helsepsykologi | Health psychology
        M 10 L Avansert forskningsmetode | Advanced research methods
        M 10 L Kognitiv nevrovitenskap | Cognitive neuroscience
        V 10 L Psykometri | Psychometrics
        V 10 L Samfunnspsykologi | Community psychology
        V 10 L Læringspsykologi | Psychology of learning
        V 10 L Ledelsespsykologi | Psychology of leadership
        T Søvn og arbeidsminne hos ungdom
        T Sosiale medier og selvbilde blant unge voksne
        T Effects of mindfulness training on exam anxiety
        T Tillit til ledere i hjemmekontor
    """),
    _field("his", "HIS", "historie | history", "HF", """
        O 10 L Verdenshistorie før 1800 | World history before 1800
        O 10 L Verdenshistorie etter 1800 | World history after 1800
        O 10 L Norsk historie før 1800 | Norwegian history before 1800
        O 10 L Norsk historie etter 1800 | Norwegian history after 1800
        O 10 L Historieteori og metode | Historical theory and method
        E 10 L Den kalde krigen | The Cold War
        E 10 L Middelalderens Norden | The medieval Nordic region
        E 10 L Kvinnehistorie | Women's history
        E 10 L Kolonialisme og imperier | Colonialism and empires
        E 10 L Samisk historie | Sámi history
        M 10 L Historiografi | Historiography
        M 10 L Kildekritikk og arkivarbeid | Source criticism and archival work
        V 10 L Okkupasjonshistorie 1940–1945 | The occupation of Norway 1940–1945
        V 10 L Migrasjonshistorie | History of migration
        V 10 L Økonomisk historie | Economic history
        V 10 L Digital historie | Digital history
        T Arbeiderbevegelsen i Odda 1905–1935
        T Sildefisket og kystsamfunnene på Vestlandet etter 1850
        T Norwegian emigration to the American Midwest 1870–1910
        T Skolen som nasjonsbygger i Finnmark 1900–1940
    """),
    _field("bio", "BIO", "biologi | biology", "MN", """
        O 10 L Celle- og molekylærbiologi | Cell and molecular biology
        O 10 L Økologi | Ecology
        O 10 L Evolusjon | Evolution
        O 10 L Generell kjemi | General chemistry
        O 10 L Genetikk | Genetics
        O 10 P Feltkurs i biologi | Biology field course
        E 10 L Mikrobiologi | Microbiology
        E 10 L Fysiologi | Physiology
        E 10 L Marinbiologi | Marine biology
        E 10 L Botanikk | Botany
        M 10 L Biostatistikk | Biostatistics
        M 10 L Forskningsdesign i biologi | Research design in biology
        V 10 L Bevaringsbiologi | Conservation biology
        V 10 L Bioinformatikk | Bioinformatics
        V 10 L Akvakultur | Aquaculture
        V 10 L Populasjonsgenetikk | Population genetics
        T Lakselus og villaksens vandring i Hardangerfjorden
        T Pollinatorer i kulturlandskapet på Østlandet
        T Climate-driven range shifts of alpine plants in Jotunheimen
        T Mikroplast i blåskjell langs norskekysten
    """),
    _field("stv", "STV", "statsvitenskap | political science", "SV", """
        O 10 L Innføring i statsvitenskap | Introduction to political science
        O 10 L Politisk teori | Political theory
        O 10 L Komparativ politikk | Comparative politics
        O 10 L Internasjonal politikk | International politics
        O 10 L Offentlig politikk og administrasjon | Public policy and administration
        E 10 L Europeisk integrasjon | European integration
        E 10 L Valg og velgere | Elections and voters
        E 10 L Nordisk politikk | Nordic politics
        E 10 L Konflikt og fred | Conflict and peace
        M 10 L Kvantitativ metode | Quantitative methods
        M 10 L Kvalitativ metode | Qualitative methods
        V 10 L Forvaltningspolitikk | Public administration policy
        V 10 L Demokrati og representasjon | Democracy and representation
        V 10 L Sikkerhetspolitikk | Security policy
        V 10 L Miljøpolitikk | Environmental politics
        T Kommunesammenslåing og lokaldemokrati i Trøndelag
        T Norges forhold til EØS-avtalen etter 2016
        T Trust in government during the COVID-19 pandemic in Scandinavia
        T Ungdomspartienes rekruttering i distriktene
    """),
    _field("mat", "MAT", "matematikk | mathematics", "MN", """
        O 10 L Kalkulus og lineær algebra | Calculus and linear algebra
        O 10 L Flervariabel analyse | Multivariable calculus
        O 10 L Lineær algebra | Linear algebra
        O 10 L Sannsynlighetsregning og statistikk | Probability and statistics
        O 10 L Reell analyse | Real analysis
        E 10 L Abstrakt algebra | Abstract algebra
        E 10 L Numeriske metoder | Numerical methods
        E 10 L Differensialligninger | Differential equations
        E 10 L Topologi | Topology
        M 10 L Mål- og integrasjonsteori | Measure and integration theory
        M 10 L Funksjonalanalyse | Functional analysis
        V 10 L Stokastiske prosesser | Stochastic processes
        V 10 L Algebraisk geometri | Algebraic geometry
        V 10 L Partielle differensialligninger | Partial differential equations
        V 10 L Optimering | Optimisation
        T Spektralteori for Schrödinger-operatorer på grafer
        T Stochastic models of avalanche risk in Western Norway
        T Elliptiske kurver og kryptografi
    """),
    _field("sos", "SOS", "sosiologi | sociology", "SV", """
        O 10 L Innføring i sosiologi | Introduction to sociology
        O 10 L Klassisk og moderne sosiologisk teori | Classical and modern sociological theory
        O 10 L Samfunnsvitenskapelig metode | Social science methods
        O 10 L Det norske samfunnet | Norwegian society
        O 10 L Sosial ulikhet | Social inequality
        E 10 L Arbeidslivssosiologi | Sociology of work
        E 10 L Kjønn og samfunn | Gender and society
        E 10 L Migrasjon og integrering | Migration and integration
        E 10 L Kultursosiologi | Sociology of culture
        M 10 L Sosiologisk teori | Sociological theory
        M 10 L Avansert metode | Advanced methods
        V 10 L Velferdsstatens sosiologi | Sociology of the welfare state
        V 10 L Utdanningssosiologi | Sociology of education
        V 10 L Familiesosiologi | Sociology of the family
        V 10 L Bysosiologi | Urban sociology
        T Klassebakgrunn og frafall i videregående skole
        T Deltidsarbeid blant sykepleiere i Bergen
        T Digital exclusion among older adults in rural Norway
    """),
    _field("nor", "NOR", "nordisk språk og litteratur | Nordic language and literature", "HF", """
        O 10 L Norsk grammatikk | Norwegian grammar
        O 10 L Norsk språkhistorie | History of the Norwegian language
        O 10 L Litteraturanalyse | Literary analysis
        O 10 L Norsk litteraturhistorie | Norwegian literary history
        O 10 L Nynorsk og bokmål i bruk | Nynorsk and Bokmål in use
        E 10 L Dialektologi | Dialectology
        E 10 L Ibsen og hans samtid | Ibsen and his contemporaries
        E 10 L Barne- og ungdomslitteratur | Children's and young adult literature
        E 10 L Sosiolingvistikk | Sociolinguistics
        M 10 L Nordisk språkvitenskap | Nordic linguistics
        M 10 L Litteraturteori | Literary theory
        V 10 L Norrøn filologi | Old Norse philology
        V 10 L Samtidslitteratur | Contemporary literature
        V 10 L Tekstvitenskap | Text studies
        V 10 L Språkpolitikk | Language policy
        T Nynorsk som hovudmål i bygdebyane på Vestlandet
        T Kvinneskikkelsene i Amalie Skrams Hellemyrsfolket
        T Dialektutjamning blant ungdom i Trondheim
    """),
    _field("medie", "MEVIT", "medievitenskap | media studies", "HF", """
        O 10 L Innføring i medievitenskap | Introduction to media studies
        O 10 L Mediehistorie | Media history
        O 10 L Journalistikk og samfunn | Journalism and society
        O 10 L Medieanalyse | Media analysis
        O 10 L Medieforskningens metoder | Research methods in media studies
        E 10 L Film og fjernsyn | Film and television
        E 10 L Digitale medier | Digital media
        E 10 L Politisk kommunikasjon | Political communication
        E 10 L Dataspill og kultur | Video games and culture
        M 10 L Medieteori | Media theory
        M 10 L Mediebruk og publikum | Media use and audiences
        V 10 L Plattformøkonomi | Platform economics
        V 10 L Nyhetsjournalistikk | News journalism
        V 10 L Dokumentarfilm | Documentary film
        V 10 L Medieregulering | Media regulation
        T Lokalavisenes rolle i kommunevalget 2023
        T Algorithmic curation and news exposure among Norwegian teenagers
        T NRK Skam og norsk ungdomsserie etter 2015
    """),
    _field("teo", "TEOL", "teologi | theology", "HF", """
        O 10 L Innføring i Det gamle testamentet | Introduction to the Old Testament
        O 10 L Innføring i Det nye testamentet | Introduction to the New Testament
        O 10 L Kirkehistorie | Church history
        O 10 L Systematisk teologi | Systematic theology
        O 10 L Religionsvitenskap | Religious studies
        O 10 L Gresk for teologer | Greek for theologians
        E 10 L Etikk | Ethics
        E 10 L Religionspsykologi | Psychology of religion
        E 10 L Misjonsvitenskap | Missiology
        E 10 L Islam i Europa | Islam in Europe
        M 10 L Hermeneutikk | Hermeneutics
        M 10 L Praktisk teologi | Practical theology
        V 10 L Diakoni | Diaconia
        V 10 L Religion og samfunn | Religion and society
        V 10 L Hebraisk | Hebrew
        V 10 L Økumenikk | Ecumenics
        T Haugianske nettverk i Rogaland 1800–1840
        T Sorg og ritualer i norske begravelser etter pandemien
        T The reception of Luther's catechism in Norwegian schools
    """),
    _field("syk", "SYK", "sykepleie | nursing", "", """
        O 15 L Grunnleggende sykepleie | Fundamental nursing
        O 15 L Anatomi, fysiologi og biokjemi | Anatomy, physiology and biochemistry
        O 15 P Praksis i sykehjem | Clinical placement in a nursing home
        O 15 L Sykdomslære og farmakologi | Pathology and pharmacology
        O 15 L Sykepleie til pasienter med akutt og kritisk sykdom | Nursing of acutely and critically ill patients
        O 15 P Praksis i spesialisthelsetjenesten | Clinical placement in specialist health care
        O 15 L Psykisk helse og rus | Mental health and substance use
        O 15 P Praksis i kommunehelsetjenesten | Clinical placement in municipal health care
        O 15 L Kunnskapsbasert praksis | Evidence-based practice
        E 15 L Bacheloroppgave i sykepleie | Bachelor's thesis in nursing
        E 15 P Praksis i psykisk helsevern | Clinical placement in mental health care
        E 15 L Folkehelse og helsefremmende arbeid | Public health and health promotion
        M 15 L Avansert klinisk vurdering | Advanced clinical assessment
        M 15 L Sykepleievitenskap | Nursing science
        V 10 L Geriatri | Geriatrics
        V 10 L Smertebehandling | Pain management
        V 10 L Palliasjon | Palliative care
        V 10 L Ledelse i helsetjenesten | Leadership in health services
        T Pårørendes erfaringer med hjemmebasert palliasjon
        T Fall blant eldre på sykehjem: forebygging i praksis
        T Nurses' experiences of medication errors in home care
    """),
    _field("laer", "GLU", "grunnskolelærerutdanning | primary and lower secondary teacher education", "", """
        O 15 L Pedagogikk og elevkunnskap 1 | Pedagogy and pupil-related skills 1
        O 15 L Matematikk 1 for 1.–7. trinn | Mathematics 1 for years 1–7
        O 15 L Norsk 1 for 1.–7. trinn | Norwegian 1 for years 1–7
        O 15 P Praksis 1 | School placement 1
        O 15 L Pedagogikk og elevkunnskap 2 | Pedagogy and pupil-related skills 2
        O 15 P Praksis 2 | School placement 2
        O 15 L Matematikk 2 for 1.–7. trinn | Mathematics 2 for years 1–7
        O 15 L Norsk 2 for 1.–7. trinn | Norwegian 2 for years 1–7
        E 15 L Engelsk for 1.–7. trinn | English for years 1–7
        E 15 L Naturfag for 1.–7. trinn | Science for years 1–7
        E 15 L Kroppsøving for 1.–7. trinn | Physical education for years 1–7
        E 15 L Samfunnsfag for 1.–7. trinn | Social studies for years 1–7
        M 15 L Profesjonsfaglig forskning | Research in the teaching profession
        M 15 P Praksis 3 | School placement 3
        V 15 L Spesialpedagogikk | Special needs education
        V 15 L Matematikkdidaktikk | Mathematics education
        V 15 L Lese- og skriveopplæring | Teaching reading and writing
        T Begynneropplæring i lesing i fådelte skoler
        T Vurdering for læring i matematikk på mellomtrinnet
        T Teachers' use of tablets in early literacy instruction
    """),
    _field("sam", "SAM", "samisk språk og litteratur | Sámi language and literature", "HF", """
        O 15 L Nordsamisk 1 | North Sámi 1
        O 15 L Nordsamisk 2 | North Sámi 2
        O 10 L Samisk litteratur | Sámi literature
        O 10 L Samisk kultur og samfunn | Sámi culture and society
        O 10 L Duodji og tradisjonell kunnskap | Duodji and traditional knowledge
        E 10 L Lulesamisk | Lule Sámi
        E 10 L Sørsamisk | South Sámi
        E 10 L Urfolksrettigheter | Indigenous rights
        E 10 L Samisk journalistikk | Sámi journalism
        M 10 L Samisk språkvitenskap | Sámi linguistics
        M 10 L Urfolksmetodologi | Indigenous methodologies
        V 10 L Samisk oversettelse | Sámi translation
        V 10 L Joik og musikk | Yoik and music
        V 10 L Samisk historie | Sámi history
        V 10 L Revitalisering av språk | Language revitalisation
        T Samisk i barnehagen: språkarenaer i Kautokeino
        T Place names in North Sámi along the Tana river
    """),
    _field("ing", "ELE", "elektroingeniør | electrical engineering", "", """
        O 10 L Matematikk 1 | Mathematics 1
        O 10 L Fysikk | Physics
        O 10 L Elektriske kretser | Electrical circuits
        O 10 L Digitalteknikk | Digital electronics
        O 10 L Matematikk 2 | Mathematics 2
        O 10 L Signalbehandling | Signal processing
        O 10 L Reguleringsteknikk | Control engineering
        O 10 L Elkraftsystemer | Electric power systems
        O 20 L Bacheloroppgave | Bachelor's project
        E 10 L Mikrokontrollere | Microcontrollers
        E 10 L Fornybar energi | Renewable energy
        E 10 L Kraftelektronikk | Power electronics
        E 10 L Robotikk | Robotics
        M 10 L Avansert reguleringsteknikk | Advanced control engineering
        M 10 L Smarte strømnett | Smart grids
        V 10 L Batterisystemer | Battery systems
        V 10 L Maskinsyn | Machine vision
        V 10 L Vindkraft | Wind power
        V 10 L Innebygde systemer | Embedded systems
        T Lading av elbilferjer i Sogn: nettkapasitet og lagring
        T State estimation for offshore wind farm collectors
        T Prediktiv vedlikehold av transformatorer med maskinlæring
    """),
    _field("bedr", "BED", "økonomi og administrasjon | business administration", "", """
        O 10 L Bedriftsøkonomisk analyse | Business economic analysis
        O 10 L Finansregnskap | Financial accounting
        O 10 L Markedsføring | Marketing
        O 10 L Organisasjon og ledelse | Organisation and management
        O 10 L Investering og finansiering | Investment and finance
        O 10 L Metode og statistikk | Methods and statistics
        O 10 L Foretaksrett | Company law
        O 10 L Skatterett | Tax law
        E 10 L Strategi | Strategy
        E 10 L Innovasjon og entreprenørskap | Innovation and entrepreneurship
        E 10 L Logistikk | Logistics
        E 10 L Forbrukeratferd | Consumer behaviour
        E 10 L Bærekraftig økonomi | Sustainable business
        M 10 L Økonomisk styring | Management control
        M 10 L Verdsettelse | Valuation
        V 10 L Forretningsanalyse | Business analytics
        V 10 L Endringsledelse | Change management
        V 10 L Revisjon | Auditing
        V 10 L Eiendomsøkonomi | Real estate economics
        T Kapitalstruktur i norske familiebedrifter
        T ESG-rapportering i børsnoterte sjømatselskaper
        T Pricing strategies of Norwegian ski resorts
    """),
    _field("soa", "SOA", "sosialt arbeid | social work", "", """
        O 15 L Sosialt arbeid som fag og profesjon | Social work as discipline and profession
        O 15 L Velferdsrett | Welfare law
        O 15 P Praksis i sosialt arbeid | Field placement in social work
        O 15 L Psykologi og kommunikasjon | Psychology and communication
        O 15 L Sosialpolitikk | Social policy
        O 15 P Praksis i NAV | Field placement in the Labour and Welfare Administration
        O 15 L Barnevern | Child welfare
        E 15 L Rus og avhengighet | Substance use and addiction
        E 15 L Minoriteter og migrasjon | Minorities and migration
        E 15 L Bacheloroppgave i sosialt arbeid | Bachelor's thesis in social work
        M 10 L Profesjonsetikk | Professional ethics
        M 10 L Forskning i sosialt arbeid | Research in social work
        V 10 L Familieterapi | Family therapy
        V 10 L Ungdom og marginalisering | Youth and marginalisation
        V 10 L Tverrfaglig samarbeid | Interprofessional collaboration
        V 10 L Fattigdom | Poverty
        T Ungdom i overgangen fra barnevern til voksenliv
        T Brukermedvirkning i NAV-kontorets oppfølging
    """),
    _field("rei", "REI", "reiseliv | tourism", "", """
        O 10 L Innføring i reiselivsfag | Introduction to tourism
        O 10 L Reiselivsøkonomi | Tourism economics
        O 10 L Opplevelsesdesign | Experience design
        O 10 L Markedsføring av reisemål | Destination marketing
        O 10 L Natur- og kulturbasert reiseliv | Nature- and culture-based tourism
        O 10 L Reiselivsledelse | Tourism management
        E 10 L Friluftsliv og turisme | Outdoor recreation and tourism
        E 10 L Fjordturisme | Fjord tourism
        E 10 L Hotelldrift | Hotel operations
        E 10 L Arrangementsledelse | Event management
        M 10 L Reiselivsteori | Tourism theory
        M 10 L Bærekraftig reiseliv | Sustainable tourism
        V 10 L Cruiseturisme | Cruise tourism
        V 10 L Destinasjonsutvikling | Destination development
        V 10 L Matturisme | Food tourism
        V 10 L Reiselivsplanlegging | Tourism planning
        T Cruiseturisme og lokalsamfunnet i Flåm
        T Overtourism at Trolltunga: visitor management and local responses
    """),
    _field("mus", "MUS", "musikk | music", "", """
        O 15 P Hovedinstrument 1 | Principal instrument 1
        O 15 L Musikkteori og gehør | Music theory and aural training
        O 10 L Musikkhistorie | Music history
        O 15 P Hovedinstrument 2 | Principal instrument 2
        O 10 L Samspill og ensemble | Ensemble playing
        O 15 P Hovedinstrument 3 | Principal instrument 3
        O 10 L Musikkpedagogikk | Music education
        E 10 L Komposisjon | Composition
        E 10 L Folkemusikk | Folk music
        E 10 L Musikkteknologi | Music technology
        E 10 L Direksjon | Conducting
        M 20 P Hovedinstrument master | Principal instrument, master
        M 10 L Kunstnerisk utviklingsarbeid | Artistic research
        V 10 L Kammermusikk | Chamber music
        V 10 L Improvisasjon | Improvisation
        V 10 L Musikkfilosofi | Philosophy of music
        V 10 L Fremføringspraksis | Performance practice
        T Hardingfelespel i Valdres: slåttetradisjon og formidling
        T Improvisation in contemporary Nordic jazz
    """),
    _field("idr", "IDR", "idrettsvitenskap | sport science", "", """
        O 10 L Treningslære | Training theory
        O 10 L Anatomi og bevegelseslære | Anatomy and kinesiology
        O 10 L Idrettspsykologi | Sport psychology
        O 10 L Fysiologi | Exercise physiology
        O 10 P Friluftsliv | Outdoor education
        O 10 L Idrett og samfunn | Sport and society
        O 10 L Idrettspedagogikk | Sport pedagogy
        E 10 L Trenerrollen | Coaching
        E 10 L Skiidrett | Skiing
        E 10 L Fysisk aktivitet og helse | Physical activity and health
        E 10 L Idrettsernæring | Sports nutrition
        M 10 L Forskningsmetode i idrettsvitenskap | Research methods in sport science
        M 10 L Prestasjonsutvikling | Performance development
        V 10 L Biomekanikk | Biomechanics
        V 10 L Idrettsskader | Sports injuries
        V 10 L Barneidrett | Children's sport
        V 10 L Utholdenhetstrening | Endurance training
        T Høydetrening og prestasjon hos juniorlangrennsløpere
        T Dropout from organised football among girls aged 13–16
    """),
    _field("log", "LOG", "logistikk | logistics", "", """
        O 10 L Innføring i logistikk | Introduction to logistics
        O 10 L Operasjonsanalyse | Operations research
        O 10 L Forsyningskjedeledelse | Supply chain management
        O 10 L Transportøkonomi | Transport economics
        O 10 L Lagerstyring | Inventory management
        O 10 L Matematikk for logistikk | Mathematics for logistics
        E 10 L Maritim logistikk | Maritime logistics
        E 10 L Innkjøp | Purchasing
        E 10 L Simulering | Simulation
        E 10 L Prosjektledelse | Project management
        M 10 L Optimeringsmodeller | Optimisation models
        M 10 L Avansert forsyningskjedeledelse | Advanced supply chain management
        V 10 L Heuristikker | Heuristics
        V 10 L Petroleumslogistikk | Petroleum logistics
        V 10 L Humanitær logistikk | Humanitarian logistics
        V 10 L Ruteplanlegging | Vehicle routing
        T Ruteplanlegging for forsyningsskip på Haltenbanken
        T Inventory policies for spare parts in offshore wind
    """),
    _field("ark", "ARK", "arkitektur | architecture", "", """
        O 20 L Arkitekturprosjekt 1 | Architecture studio 1
        O 20 L Arkitekturprosjekt 2 | Architecture studio 2
        O 10 L Arkitekturhistorie | History of architecture
        O 20 L Arkitekturprosjekt 3 | Architecture studio 3
        O 10 L Byggteknikk | Building technology
        O 10 P Tegning og modell | Drawing and model making
        E 10 L Landskapsarkitektur | Landscape architecture
        E 10 L Urbanisme | Urbanism
        E 10 L Bærekraftig bygging | Sustainable building
        E 10 L Restaurering | Restoration
        M 30 L Arkitekturprosjekt 4 | Architecture studio 4
        M 10 L Arkitekturteori | Theory of architecture
        V 10 L Tre som byggemateriale | Timber as a building material
        V 10 L Boligplanlegging | Housing design
        V 10 L Digital fabrikasjon | Digital fabrication
        V 10 L Stedsanalyse | Site analysis
        T Transformasjon av industrianlegg i Odda
        T Timber housing for an ageing population in small towns
    """),
    _field("kunst", "KUN", "kunstfag | fine art", "", """
        O 20 P Kunstnerisk praksis 1 | Artistic practice 1
        O 10 L Kunsthistorie | Art history
        O 20 P Kunstnerisk praksis 2 | Artistic practice 2
        O 10 L Kunstteori | Art theory
        O 20 P Kunstnerisk praksis 3 | Artistic practice 3
        O 10 P Verkstedkurs | Workshop course
        E 10 L Fotografi | Photography
        E 10 L Skulptur | Sculpture
        E 10 L Grafikk | Printmaking
        E 10 L Video og installasjon | Video and installation
        M 30 P Kunstnerisk prosjekt | Artistic project
        M 10 L Kuratering | Curating
        V 10 L Kunst i offentlige rom | Art in public space
        V 10 L Performance | Performance art
        V 10 L Tekstil | Textile art
        V 10 L Kunst og økologi | Art and ecology
        T Lys og tid i nordnorsk landskapsmaleri
        T Archive as material: working with family photographs
    """),
    _field("pol", "POL", "politiutdanning | police studies", "", """
        O 15 L Politirollen og samfunnet | Police and society
        O 15 L Strafferett og straffeprosess | Criminal law and procedure
        O 15 L Etterforskning | Criminal investigation
        O 15 P Operativ trening 1 | Operational training 1
        O 15 L Forvaltningsrett for politiet | Administrative law for the police
        O 15 P Praksisåret | Field training year
        O 15 P Operativ trening 2 | Operational training 2
        E 15 L Kriminologi | Criminology
        E 15 L Bacheloroppgave i politifag | Bachelor's thesis in police studies
        E 15 L Avhørsmetodikk | Investigative interviewing
        M 10 L Politivitenskap | Police science
        M 10 L Forskningsmetode | Research methods
        V 10 L Digital etterforskning | Digital investigation
        V 10 L Politiledelse | Police leadership
        V 10 L Økonomisk kriminalitet | Economic crime
        V 10 L Vold i nære relasjoner | Domestic violence
        T Avhør av barn i tilrettelagte avhør etter 2015
        T Public trust in the Norwegian police after the 2016 reform
    """),
)

FIELDS: dict[str, Field] = {f.key: f for f in _FIELDS}

# Courses any institution offers beside its fields: bachelor electives and master method courses, so that every
# programme can be filled to 180 or 120 credits.
COMMON = _field("common", "FEL", "fellesemner | common courses", "", """
    E 10 L Akademisk skriving | Academic writing
    E 10 L Vitenskapsteori og etikk | Philosophy of science and ethics
    E 10 L Statistikk for samfunnsfag | Statistics for the social sciences
    E 10 L Prosjektledelse | Project management
    E 10 L Engelsk for akademiske formål | English for academic purposes
    E 10 L Bærekraft og samfunn | Sustainability and society
    V 10 L Kvantitativ forskningsmetode | Quantitative research methods
    V 10 L Kvalitativ forskningsmetode | Qualitative research methods
    V 10 L Vitenskapsteori | Philosophy of science
""")

# Examen philosophicum and the examen facultatum variants of the disciplinary bachelors.
EXPHIL = FieldCourse("exphil", 10, "letter", "Examen philosophicum", "Examen philosophicum")
EXFAC = {
    "SV": FieldCourse("exfac", 10, "letter", "Examen facultatum – samfunnsvitenskapelig variant",
                      "Examen facultatum – social sciences version"),
    "HF": FieldCourse("exfac", 10, "letter", "Examen facultatum – humanistisk variant",
                      "Examen facultatum – humanities version"),
    "MN": FieldCourse("exfac", 10, "letter", "Examen facultatum – naturvitenskapelig variant",
                      "Examen facultatum – natural sciences version"),
}
