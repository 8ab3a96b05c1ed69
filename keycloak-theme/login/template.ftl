<#import "woundwo.ftl" as ww>
<#-- The WOUNDWO page frame: slim header with logo and languages, one card, help links below.
     Same macro and sections as the base template, so inherited base pages render in it too.
     showEndCustomer: add the "End customer?" box under the card (login page). -->
<#macro registrationLayout bodyClass="" displayInfo=false displayMessage=true displayRequiredFields=false showEndCustomer=false>
<#assign wwHeading><#nested "header"></#assign>
<!DOCTYPE html>
<html lang="${lang}" dir="<#if realm.internationalizationEnabled && (locale.rtl)!false>rtl<#else>ltr</#if>">
<head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="robots" content="noindex, nofollow">
    <meta name="color-scheme" content="light">
    <title>${wwHeading?markup_string?replace("<[^>]*>", "", "r")?trim?no_esc} · ${realm.displayName!"WOUNDWO B2B"}</title>
    <link rel="icon" href="${url.resourcesPath}/img/favicon.svg" type="image/svg+xml">
    <#if properties.styles?has_content>
        <#list properties.styles?split(" ") as style>
    <link href="${url.resourcesPath}/${style}" rel="stylesheet">
        </#list>
    </#if>
    <#if properties.scripts?has_content>
        <#list properties.scripts?split(" ") as script>
    <script src="${url.resourcesPath}/${script}" defer></script>
        </#list>
    </#if>
    <#if scripts??>
        <#list scripts as script>
    <script src="${script}" type="text/javascript"></script>
        </#list>
    </#if>
    <#-- Keycloak's multi-tab session checks, started without inline script (see js/session.js). -->
    <script type="module" src="${url.resourcesPath}/js/session.js"></script>
</head>
<body class="ww-body ${bodyClass}" data-page-id="login-${pageId}" data-sso-url="${url.ssoLoginInOtherTabsUrl}"<#if authenticationSession??> data-auth-session-hash="${authenticationSession.authSessionIdHash}"</#if>>
<a class="ww-skip" href="#ww-main">${msg("wwSkipToContent")}</a>
<header class="ww-header">
    <div class="ww-header__inner">
        <svg class="ww-logo" role="img" aria-label="WOUNDWO" viewBox="0 0 158 36" width="158" height="36" xmlns="http://www.w3.org/2000/svg">
            <rect width="158" height="36" rx="8" fill="#fff"/>
            <rect x="7.5" y="7.5" width="21" height="21" rx="5.5" fill="#fff" stroke="#0B4F8A" stroke-width="3"/>
            <path d="M18 12.5v11M12.5 18h11" stroke="#0E7C72" stroke-width="4" stroke-linecap="round"/>
            <text x="37" y="25.5" fill="#0B4F8A" font-family="system-ui,-apple-system,'Segoe UI',Roboto,sans-serif" font-size="19" font-weight="800" textLength="113" lengthAdjust="spacingAndGlyphs">WOUNDWO</text>
        </svg>
        <#if realm.internationalizationEnabled && locale.supported?size gt 1>
        <nav class="ww-lang" aria-label="${msg("languages")}">
            <ul>
                <#list locale.supported as l>
                <li><a href="${l.url}" lang="${l.languageTag}" hreflang="${l.languageTag}"<#if l.languageTag == locale.currentLanguageTag> aria-current="true"</#if>><#assign key = "wwLanguage_" + l.languageTag><#assign label = msg(key)>${(label == key)?then(l.label, label)}</a></li>
                </#list>
            </ul>
        </nav>
        </#if>
    </div>
</header>
<main id="ww-main" class="ww-main">
    <div class="ww-card" id="kc-content">
        <h1 id="kc-page-title">${wwHeading?markup_string?trim?no_esc}</h1>
        <#if auth?has_content && auth.showUsername() && !auth.showResetCredentials()>
            <#nested "show-username">
            <p id="kc-username" class="ww-account">
                <span>${msg("wwSignedInAs")}</span>
                <strong id="kc-attempted-username" dir="ltr">${auth.attemptedUsername}</strong>
                <a id="reset-login" href="${url.loginRestartFlowUrl}">${msg("restartLoginTooltip")}</a>
            </p>
        </#if>

        <#-- App-initiated actions should not see warnings about the action they are doing. -->
        <#if displayMessage && message?has_content && (message.type != 'warning' || !isAppInitiatedAction??)>
            <#-- Marked after a reset request: email-check.js swaps it for "no e-mail was sent" when the check
                 says the address has no access (docs/security.md, "After a reset request"). -->
            <div id="ww-page-message" class="ww-alert ww-alert--${message.type}"<#if message.summary == msg("emailSentMessage")> data-reset-requested</#if>>
                <p class="ww-alert__text">${kcSanitize(message.summary)?no_esc}</p>
            </div>
        </#if>

        <#nested "form">

        <#if auth?has_content && auth.showTryAnotherWayLink()>
            <form id="kc-select-try-another-way-form" action="${url.loginAction}" method="post">
                <input type="hidden" name="tryAnotherWay" value="on"/>
                <button type="submit" id="try-another-way" class="ww-linkbtn">${msg("doTryAnotherWay")}</button>
            </form>
        </#if>

        <#if switchOrganizationEnabled?? && switchOrganizationEnabled>
            <form id="kc-switch-organization-form" action="${url.loginAction}" method="post">
                <input type="hidden" name="switchOrganization" value="true"/>
                <button type="submit" id="switch-organization" class="ww-linkbtn">${msg("doSwitchOrganization")}</button>
            </form>
        </#if>

        <#nested "socialProviders">

        <#if displayInfo>
            <div id="kc-info" class="ww-info">
                <#nested "info">
            </div>
        </#if>
    </div>

    <#if showEndCustomer>
        <#assign dealerSearch = ww.localUrl("dealerSearchUrl") downloads = ww.localUrl("downloadsUrl")>
        <section id="ww-end-customer" class="ww-aside" aria-labelledby="ww-end-customer-title">
            <h2 id="ww-end-customer-title">${msg("wwEndCustomerTitle")}</h2>
            <p>${msg("wwEndCustomerText")}</p>
            <#if dealerSearch?has_content || downloads?has_content>
            <ul class="ww-links">
                <#if dealerSearch?has_content><li><a id="ww-dealer-search" href="${dealerSearch}">${msg("wwEndCustomerDealerSearch")}</a></li></#if>
                <#if downloads?has_content><li><a id="ww-downloads" href="${downloads}">${msg("wwEndCustomerDownloads")}</a></li></#if>
            </ul>
            </#if>
        </section>
    </#if>
</main>
<#assign help = ww.bridgePage("/help") contact = ww.localUrl("contactUrl")>
<footer class="ww-footer">
    <#if help?has_content || contact?has_content>
    <nav aria-label="${msg("wwHelpNav")}">
        <ul class="ww-links ww-links--inline">
            <#if help?has_content><li><a id="ww-help" href="${help}">${msg("wwHelpLink")}</a></li></#if>
            <#if contact?has_content><li><a id="ww-contact" href="${contact}">${msg("wwContactLink")}</a></li></#if>
        </ul>
    </nav>
    </#if>
    <p class="ww-footer__note">${msg("wwFooterNote")}</p>
</footer>
</body>
</html>
</#macro>
